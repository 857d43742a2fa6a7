/// Many independent products `C_i = α·op(A_i)·op(B_i) + β·C_i`, i in 0..<count, as attention heads need.
///
/// Operand i starts at `a + i·strideA` (likewise B, C); shapes and leading dimensions as in `gemm`.
/// With at least as many products as threads, each thread takes whole products (no fork-join inside
/// a product); otherwise the products run one after another, each on all threads.
/// Cost: 2·count·m·n·k FLOPs.
public func batchedGEMM(
    count: Int, transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, strideA: Int,
    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    threads: Int = Parallelism.defaultThreads
) {
    precondition(count >= 0, "negative batch count")
    let operands = UncheckedSendable((a, b, c))
    let perProductThreads = count >= threads ? 1 : threads
    parallelFor(count, threads: threads / perProductThreads) { i in
        let (a, b, c) = operands.value
        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
             alpha: alpha, a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
             beta: beta, c: c + i * strideC, ldc: ldc, threads: perProductThreads)
    }
}
