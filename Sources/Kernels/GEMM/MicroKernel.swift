/// The register-tiled SIMD micro-kernel: one 6 × NR tile of C from packed panels, NR = `GEMMTile.columns`
/// (64 on AVX-512, 16 on AVX2, 8 on 128-bit SIMD; see InstructionSet.swift).
///
/// Per step k it loads one NR-wide row of B (one `TileRow`: 4 zmm, 2 ymm or 2 xmm registers) and
/// broadcasts 6 values of A, then issues 6 `TileRow` multiply-adds into 6 accumulator rows (24 of 32 zmm
/// on AVX-512, 12 of 16 ymm on AVX2 as in BLIS's haswell kernel, 12 xmm on SSE/NEON): 12·NR FLOPs per
/// 4·(NR + 6) bytes read. Shapes: A[r, p] is `a[r·aRowStride + p·aDepthStride]` — a packed [kc, 6]
/// panel (strides 1, 6, the default) or 6 rows of a row-major matrix read in place (lda, 1) — B[p, j] is
/// `b[p·ldb + j]` (a packed [kc, NR] panel by default, or NR columns of a wider row-major tile), `c` is a
/// 6 × NR block of a row-major matrix with row stride `ldc`. Writes `c = alpha·(a·b) + beta·c`; with
/// `beta == 0` the old `c` is not read (so NaN/garbage in it does not propagate), as BLAS does.
@inlinable @inline(__always)
public func microKernel(
    depth kc: Int, a: UnsafePointer<Float>, aRowStride: Int = 1, aDepthStride: Int = GEMMTile.rows,
    b: UnsafePointer<Float>, ldb: Int = GEMMTile.columns,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
) {
    var c0 = TileRow(), c1 = TileRow(), c2 = TileRow(), c3 = TileRow(), c4 = TileRow(), c5 = TileRow()
    // Six row cursors; with the packed defaults they are a, a+1, …, a+5.
    var pa0 = a, pa1 = a + aRowStride, pa2 = a + 2 * aRowStride
    var pa3 = a + 3 * aRowStride, pa4 = a + 4 * aRowStride, pa5 = a + 5 * aRowStride
    var pb = UnsafeRawPointer(b)
    let bStep = ldb * MemoryLayout<Float>.size
    for _ in 0..<kc {
        let row = pb.loadUnaligned(as: TileRow.self)
        c0 = multiplyAdd(TileRow(repeating: pa0.pointee), row, c0)
        c1 = multiplyAdd(TileRow(repeating: pa1.pointee), row, c1)
        c2 = multiplyAdd(TileRow(repeating: pa2.pointee), row, c2)
        c3 = multiplyAdd(TileRow(repeating: pa3.pointee), row, c3)
        c4 = multiplyAdd(TileRow(repeating: pa4.pointee), row, c4)
        c5 = multiplyAdd(TileRow(repeating: pa5.pointee), row, c5)
        pa0 += aDepthStride; pa1 += aDepthStride; pa2 += aDepthStride
        pa3 += aDepthStride; pa4 += aDepthStride; pa5 += aDepthStride
        pb += bStep
    }
    let scale = TileRow(repeating: alpha)
    let keep = TileRow(repeating: beta)
    @inline(__always) func store(_ acc: TileRow, _ row: Int) {
        let target = UnsafeMutableRawPointer(c + row * ldc)
        var value = acc * scale
        if beta != 0 { value = multiplyAdd(keep, target.loadUnaligned(as: TileRow.self), value) }
        target.storeBytes(of: value, as: TileRow.self)
    }
    store(c0, 0); store(c1, 1); store(c2, 2); store(c3, 3); store(c4, 4); store(c5, 5)
}
