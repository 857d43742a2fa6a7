/// The register-tiled SIMD micro-kernel: one 6×64 tile of C from packed panels.
///
/// Per step k it loads one 64-wide row of the packed B panel (4 × SIMD16) and broadcasts 6 values of the
/// packed A panel, then issues 24 fused multiply-adds into 24 accumulator registers (of AVX-512's 32):
/// 768 FLOPs per 256 + 24 bytes read. Shapes: A[r, p] is `a[r·aRowStride + p·aDepthStride]` — a packed
/// [kc, 6] panel (strides 1, 6, the default) or 6 rows of a row-major matrix read in place (lda, 1) —
/// `b` is [kc, 64] (k-major),
/// `c` is a 6×64 block of a row-major matrix with row stride `ldc`. Writes `c = alpha·(a·b) + beta·c`;
/// with `beta == 0` the old `c` is not read (so NaN/garbage in it does not propagate), as BLAS does.
@inlinable @inline(__always)
public func microKernel6x64(
    depth kc: Int, a: UnsafePointer<Float>, aRowStride: Int = 1, aDepthStride: Int = 6, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
) {
    var c00 = SIMD16<Float>(); var c01 = SIMD16<Float>(); var c02 = SIMD16<Float>(); var c03 = SIMD16<Float>()
    var c10 = SIMD16<Float>(); var c11 = SIMD16<Float>(); var c12 = SIMD16<Float>(); var c13 = SIMD16<Float>()
    var c20 = SIMD16<Float>(); var c21 = SIMD16<Float>(); var c22 = SIMD16<Float>(); var c23 = SIMD16<Float>()
    var c30 = SIMD16<Float>(); var c31 = SIMD16<Float>(); var c32 = SIMD16<Float>(); var c33 = SIMD16<Float>()
    var c40 = SIMD16<Float>(); var c41 = SIMD16<Float>(); var c42 = SIMD16<Float>(); var c43 = SIMD16<Float>()
    var c50 = SIMD16<Float>(); var c51 = SIMD16<Float>(); var c52 = SIMD16<Float>(); var c53 = SIMD16<Float>()
    // Six row cursors; with the packed defaults they are a, a+1, …, a+5.
    var pa0 = a, pa1 = a + aRowStride, pa2 = a + 2 * aRowStride
    var pa3 = a + 3 * aRowStride, pa4 = a + 4 * aRowStride, pa5 = a + 5 * aRowStride
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.load(fromByteOffset: 0, as: SIMD16<Float>.self)
        let b1 = pb.load(fromByteOffset: 64, as: SIMD16<Float>.self)
        let b2 = pb.load(fromByteOffset: 128, as: SIMD16<Float>.self)
        let b3 = pb.load(fromByteOffset: 192, as: SIMD16<Float>.self)
        let a0 = SIMD16<Float>(repeating: pa0.pointee)
        c00 = c00.addingProduct(a0, b0)
        c01 = c01.addingProduct(a0, b1)
        c02 = c02.addingProduct(a0, b2)
        c03 = c03.addingProduct(a0, b3)
        let a1 = SIMD16<Float>(repeating: pa1.pointee)
        c10 = c10.addingProduct(a1, b0)
        c11 = c11.addingProduct(a1, b1)
        c12 = c12.addingProduct(a1, b2)
        c13 = c13.addingProduct(a1, b3)
        let a2 = SIMD16<Float>(repeating: pa2.pointee)
        c20 = c20.addingProduct(a2, b0)
        c21 = c21.addingProduct(a2, b1)
        c22 = c22.addingProduct(a2, b2)
        c23 = c23.addingProduct(a2, b3)
        let a3 = SIMD16<Float>(repeating: pa3.pointee)
        c30 = c30.addingProduct(a3, b0)
        c31 = c31.addingProduct(a3, b1)
        c32 = c32.addingProduct(a3, b2)
        c33 = c33.addingProduct(a3, b3)
        let a4 = SIMD16<Float>(repeating: pa4.pointee)
        c40 = c40.addingProduct(a4, b0)
        c41 = c41.addingProduct(a4, b1)
        c42 = c42.addingProduct(a4, b2)
        c43 = c43.addingProduct(a4, b3)
        let a5 = SIMD16<Float>(repeating: pa5.pointee)
        c50 = c50.addingProduct(a5, b0)
        c51 = c51.addingProduct(a5, b1)
        c52 = c52.addingProduct(a5, b2)
        c53 = c53.addingProduct(a5, b3)
        pa0 += aDepthStride; pa1 += aDepthStride; pa2 += aDepthStride
        pa3 += aDepthStride; pa4 += aDepthStride; pa5 += aDepthStride
        pb += 256
    }
    let scale = SIMD16<Float>(repeating: alpha)
    let keep = SIMD16<Float>(repeating: beta)
    @inline(__always) func store(_ acc: SIMD16<Float>, _ row: Int, _ column: Int) {
        let target = UnsafeMutableRawPointer(c + row * ldc + column)
        var value = acc * scale
        if beta != 0 { value = value.addingProduct(keep, target.loadUnaligned(as: SIMD16<Float>.self)) }
        target.storeBytes(of: value, as: SIMD16<Float>.self)
    }
    store(c00, 0, 0); store(c01, 0, 16); store(c02, 0, 32); store(c03, 0, 48)
    store(c10, 1, 0); store(c11, 1, 16); store(c12, 1, 32); store(c13, 1, 48)
    store(c20, 2, 0); store(c21, 2, 16); store(c22, 2, 32); store(c23, 2, 48)
    store(c30, 3, 0); store(c31, 3, 16); store(c32, 3, 32); store(c33, 3, 48)
    store(c40, 4, 0); store(c41, 4, 16); store(c42, 4, 32); store(c43, 4, 48)
    store(c50, 5, 0); store(c51, 5, 16); store(c52, 5, 32); store(c53, 5, 48)
}
