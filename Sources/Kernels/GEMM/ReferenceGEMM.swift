/// The yardstick for `gemm`: the textbook triple loop in Float64, `C = α·op(A)·op(B) + β·C`.
/// Same shapes and strides as `gemm`. Cost: 2·m·n·k FLOPs, unblocked and single-threaded.
public func referenceGEMM(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            let old = c[i * ldc + j]
            c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * old)
        }
    }
}
