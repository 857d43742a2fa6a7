import Attention
import Kernels

/// Attention the textbook way, forming each head's full score matrix: `S = scale·Q·Kᵀ` (GEMM), the
/// softmax of each row of S in place, then `O = S·V` (GEMM). The baseline the flash kernel avoids.
///
/// - Parameters: queries, keys and values `[B, H, N_q, D]`, `[B, H, N_kv, D]` (same heads, no grouping,
///   no mask); `scale` defaults to 1/√D.
/// - Returns: the output `[B, H, N_q, D]`.
/// - Throws: `AttentionError` for mismatched shapes or grouped heads.
///
/// Cost: 4·B·H·N_q·N_kv·D FLOPs in GEMM plus N_q·N_kv exponentials per head; N_q × N_kv extra floats
/// (256 MiB at N = 8192), allocated per call. Heads run one after another, each GEMM and the softmax rows
/// on `threads` threads.
public func materialisingAttention(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, scale: Float? = nil,
    threads: Int = Parallelism.defaultThreads
) throws -> Tensor<Float> {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    guard shape.groupSize == 1 else {
        throw AttentionError.mismatch("materialising attention needs as many key/value heads as query heads, got \(shape.queryHeads) and \(shape.keyValueHeads)")
    }
    let n = shape.queryLength, m = shape.keyLength, d = shape.headDimension
    let scale = scale ?? 1 / Float(d).squareRoot()
    var output = Tensor<Float>(zeros: queries.shape)
    let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * m)
    defer { scores.deallocate() }
    let rowBlock = 64
    queries.withUnsafeBufferPointer { q in
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { o in
                    for head in 0..<(shape.batch * shape.queryHeads) {
                        gemm(transposeB: true, m: n, n: m, k: d, alpha: scale,
                             a: q.baseAddress! + head * n * d, lda: d, b: k.baseAddress! + head * m * d, ldb: d,
                             c: scores, ldc: m, threads: threads)
                        let shared = UncheckedSendable(scores)
                        parallelFor((n + rowBlock - 1) / rowBlock, threads: threads) { block in
                            let first = block * rowBlock
                            softmaxRows(shared.value + first * m, rows: min(rowBlock, n - first), columns: m, rowStride: m)
                        }
                        gemm(m: n, n: d, k: m, a: scores, lda: m, b: v.baseAddress! + head * m * d, ldb: d,
                             c: o.baseAddress! + head * n * d, ldc: d, threads: threads)
                    }
                }
            }
        }
    }
    return output
}
