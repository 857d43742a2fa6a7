/// The register-tiled SIMD micro-kernel: one 6 × NR tile of C from packed panels, NR = `GEMMTile.columns`
/// (64 on AVX-512, 16 on AVX2, 8 on 128-bit SIMD; see InstructionSet.swift).
///
/// The product loop is `microKernel(…, epilogue:)` (MicroKernelEpilogue.swift) with a store as its epilogue.
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
    let scale = TileRow(repeating: alpha)
    let keep = TileRow(repeating: beta)
    microKernel(depth: kc, a: a, aRowStride: aRowStride, aDepthStride: aDepthStride, b: b, ldb: ldb) { row, accumulator in
        let target = UnsafeMutableRawPointer(c + row * ldc)
        var value = accumulator * scale
        if beta != 0 { value = multiplyAdd(keep, target.loadUnaligned(as: TileRow.self), value) }
        target.storeBytes(of: value, as: TileRow.self)
    }
}
