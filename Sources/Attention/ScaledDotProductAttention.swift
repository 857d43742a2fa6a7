import Kernels

/// The result of an attention forward pass: the output and what the backward pass needs.
public struct AttentionResult: Sendable {
    /// `[B, H_q, N_q, D]` (or `[H_q, N_q, D]`, as the queries came).
    public let output: Tensor<Float>
    /// `[B, H_q, N_q]`: ln Σ_j exp(s_ij) per query, −∞ for a query that sees no key.
    public let logSumExp: Tensor<Float>
}

/// The gradients of an attention call with respect to its inputs, shaped like them.
public struct AttentionGradients: Sendable {
    public let queries: Tensor<Float>
    public let keys: Tensor<Float>
    public let values: Tensor<Float>
    /// Gradients of the depth slots' keys and values (`DepthSlots`), nil when the call had none.
    public let depthKeys: Tensor<Float>?
    public let depthValues: Tensor<Float>?
}

/// Exact scaled dot-product attention, `softmax(scale·Q·Kᵀ + mask)·V`, in fp32 on all threads.
///
/// - Parameters:
///   - queries: `[B, H_q, N_q, D]` or `[H_q, N_q, D]`.
///   - keys: `[B, H_kv, N_kv, D]`, with H_q a multiple of H_kv (grouped-query; H_kv = 1 multi-query).
///   - values: same shape as keys.
///   - depth: MoDA depth slots `[B, H_q, N_q, S, D]`: each query also attends, in the same softmax, to
///     its own S slot keys and values, which no mask hides (see `DepthSlots`).
///   - mask: see `AttentionMask`; causal masks align top-left like PyTorch.
///   - scale: multiplies Q·Kᵀ (and the depth scores); defaults to 1/√D (the papers use 1/D or 1: pass it).
/// - Returns: output `[B, H_q, N_q, D]` and log-sum-exp `[B, H_q, N_q]` (over keys and slots).
/// - Throws: `AttentionError` for mismatched or unsupported shapes.
///
/// Cost: 4·B·H_q·N_q·(N_kv + S)·D FLOPs (N_kv about halved with a causal mask), O(N·D) extra memory:
/// the N_q × N_kv score matrix is never formed. D may be anything from 1 to 256.
public func scaledDotProductAttention(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, depth: DepthSlots? = nil,
    mask: AttentionMask = .none, scale: Float? = nil, threads: Int = Parallelism.defaultThreads
) throws -> AttentionResult {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    try shape.validate(mask)
    let slots = try depth?.slotCount(for: shape)
    let scale = scale ?? 1 / Float(shape.headDimension).squareRoot()
    let inputs = [queries, keys, values] + (depth.map { [$0.keys, $0.values] } ?? [])
    let results = withTensorStorage(reading: inputs, writing: [queries.shape, Array(queries.shape.dropLast())]) { i, o in
        flashAttentionForward(
            shape: shape, mask: mask, scale: scale, queries: i[0], keys: i[1], values: i[2],
            depth: slots.map { DepthPointers(keys: i[3], values: i[4], slots: $0) },
            output: o[0], logSumExp: o[1], threads: threads)
    }
    return AttentionResult(output: results[0], logSumExp: results[1])
}

/// Gradients of `scaledDotProductAttention` with respect to queries, keys, values and depth slots.
///
/// - Parameters: the inputs and `depth`/`mask`/`scale` of the forward call, its `forward` result (the
///   output and log-sum-exp are reused, not recomputed), and `gradOutput` = ∂loss/∂output, shaped like
///   the output.
/// - Returns: dQ, dK, dV shaped like Q, K, V, and with depth slots their dK, dV shaped like them. A query
///   that saw no key contributes zero gradients.
/// - Throws: `AttentionError` for mismatched shapes.
///
/// Cost: 2.5× the forward FLOPs (five matrix products per tile; 8·S·D per query for the slots), O(N·D)
/// extra memory.
public func scaledDotProductAttentionBackward(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, depth: DepthSlots? = nil,
    forward: AttentionResult, gradOutput: Tensor<Float>, mask: AttentionMask = .none, scale: Float? = nil,
    threads: Int = Parallelism.defaultThreads
) throws -> AttentionGradients {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    try shape.validate(mask)
    let slots = try depth?.slotCount(for: shape)
    guard gradOutput.shape == queries.shape, forward.output.shape == queries.shape else {
        throw AttentionError.mismatch("gradient of the output has shape \(gradOutput.shape) and the output \(forward.output.shape); both must be \(queries.shape)")
    }
    let scale = scale ?? 1 / Float(shape.headDimension).squareRoot()
    let inputs = [queries, keys, values, forward.output, forward.logSumExp, gradOutput]
        + (depth.map { [$0.keys, $0.values] } ?? [])
    let outputShapes = [queries.shape, keys.shape, values.shape] + (depth.map { [$0.keys.shape, $0.values.shape] } ?? [])
    let gradients = withTensorStorage(reading: inputs, writing: outputShapes) { i, o in
        flashAttentionBackward(
            shape: shape, mask: mask, scale: scale, queries: i[0], keys: i[1], values: i[2], output: i[3],
            logSumExp: i[4], gradOutput: i[5], gradQueries: o[0], gradKeys: o[1], gradValues: o[2],
            depth: slots.map {
                (DepthPointers(keys: i[6], values: i[7], slots: $0), DepthPointers(keys: o[3], values: o[4], slots: $0))
            },
            threads: threads)
    }
    return AttentionGradients(queries: gradients[0], keys: gradients[1], values: gradients[2],
                              depthKeys: slots.map { _ in gradients[3] }, depthValues: slots.map { _ in gradients[4] })
}
