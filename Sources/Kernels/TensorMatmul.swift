extension Tensor where Scalar == Float {
    /// The matrix product `self · other` of [m, k] and [k, n] tensors, on all threads. Cost 2·m·n·k FLOPs.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs two matrices, got \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(k == k2, "matmul inner dimensions differ: \(shape) and \(other.shape)")
        var result = Tensor(zeros: [m, n])
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    gemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                         a: a.baseAddress!, lda: max(1, shape[1]), b: b.baseAddress!, ldb: max(1, other.shape[1]),
                         c: c.baseAddress!, ldc: max(1, n))
                }
            }
        }
        return result
    }
}
