import Kernels

/// The result of an attention forward pass: the output and what the backward pass needs.
public struct AttentionResult: Sendable {
    /// `[B, H_q, N_q, D]` (or `[H_q, N_q, D]`, as the queries came).
    public let output: Tensor<Float>
    /// `[B, H_q, N_q]`: ln Σ_j exp(s_ij) per query, −∞ for a query that sees no key.
    public let logSumExp: Tensor<Float>
}

/// The gradients of an attention call with respect to its three inputs, shaped like them.
public struct AttentionGradients: Sendable {
    public let queries: Tensor<Float>
    public let keys: Tensor<Float>
    public let values: Tensor<Float>
}

/// Exact scaled dot-product attention, `softmax(scale·Q·Kᵀ + mask)·V`, in fp32 on all threads.
///
/// - Parameters:
///   - queries: `[B, H_q, N_q, D]` or `[H_q, N_q, D]`.
///   - keys: `[B, H_kv, N_kv, D]`, with H_q a multiple of H_kv (grouped-query; H_kv = 1 multi-query).
///   - values: same shape as keys.
///   - mask: see `AttentionMask`; causal masks align top-left like PyTorch.
///   - scale: multiplies Q·Kᵀ; defaults to 1/√D (the papers use 1/D or 1: pass it).
/// - Returns: output `[B, H_q, N_q, D]` and log-sum-exp `[B, H_q, N_q]`.
/// - Throws: `AttentionError` for mismatched or unsupported shapes.
///
/// Cost: 4·B·H_q·N_q·N_kv·D FLOPs (about half with a causal mask), O(N·D) extra memory: the
/// N_q × N_kv score matrix is never formed. D may be anything from 1 to 256.
public func scaledDotProductAttention(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>,
    mask: AttentionMask = .none, scale: Float? = nil, threads: Int = Parallelism.defaultThreads
) throws -> AttentionResult {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    try shape.validate(mask)
    let scale = scale ?? 1 / Float(shape.headDimension).squareRoot()
    var output = Tensor<Float>(zeros: queries.shape)
    var logSumExp = Tensor<Float>(zeros: Array(queries.shape.dropLast()))
    queries.withUnsafeBufferPointer { q in
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { o in
                    logSumExp.withUnsafeMutableBufferPointer { l in
                        flashAttentionForward(
                            shape: shape, mask: mask, scale: scale, queries: q.baseAddress!, keys: k.baseAddress!,
                            values: v.baseAddress!, output: o.baseAddress!, logSumExp: l.baseAddress!, threads: threads)
                    }
                }
            }
        }
    }
    return AttentionResult(output: output, logSumExp: logSumExp)
}

/// Gradients of `scaledDotProductAttention` with respect to queries, keys and values.
///
/// - Parameters: the inputs and `mask`/`scale` of the forward call, its `forward` result (the output
///   and log-sum-exp are reused, not recomputed), and `gradOutput` = ∂loss/∂output, shaped like the output.
/// - Returns: dQ, dK, dV shaped like Q, K, V. A query that saw no key contributes zero gradients.
/// - Throws: `AttentionError` for mismatched shapes.
///
/// Cost: 2.5× the forward FLOPs (five matrix products per tile), O(N·D) extra memory.
public func scaledDotProductAttentionBackward(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: AttentionResult,
    gradOutput: Tensor<Float>, mask: AttentionMask = .none, scale: Float? = nil,
    threads: Int = Parallelism.defaultThreads
) throws -> AttentionGradients {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    try shape.validate(mask)
    guard gradOutput.shape == queries.shape, forward.output.shape == queries.shape else {
        throw AttentionError.mismatch("gradient of the output has shape \(gradOutput.shape) and the output \(forward.output.shape); both must be \(queries.shape)")
    }
    let scale = scale ?? 1 / Float(shape.headDimension).squareRoot()
    var gradQueries = Tensor<Float>(zeros: queries.shape)
    var gradKeys = Tensor<Float>(zeros: keys.shape)
    var gradValues = Tensor<Float>(zeros: values.shape)
    queries.withUnsafeBufferPointer { q in
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                forward.output.withUnsafeBufferPointer { o in
                    forward.logSumExp.withUnsafeBufferPointer { l in
                        gradOutput.withUnsafeBufferPointer { dO in
                            gradQueries.withUnsafeMutableBufferPointer { dQ in
                                gradKeys.withUnsafeMutableBufferPointer { dK in
                                    gradValues.withUnsafeMutableBufferPointer { dV in
                                        flashAttentionBackward(
                                            shape: shape, mask: mask, scale: scale, queries: q.baseAddress!,
                                            keys: k.baseAddress!, values: v.baseAddress!, output: o.baseAddress!,
                                            logSumExp: l.baseAddress!, gradOutput: dO.baseAddress!,
                                            gradQueries: dQ.baseAddress!, gradKeys: dK.baseAddress!,
                                            gradValues: dV.baseAddress!, threads: threads)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return AttentionGradients(queries: gradQueries, keys: gradKeys, values: gradValues)
}
