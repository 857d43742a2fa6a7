import Kernels

/// The result of an attention forward pass: the output and what the backward pass needs.
public struct AttentionResult: Sendable {
    /// `[B, H_q, N_q, D]` (or `[H_q, N_q, D]`, as the queries came).
    public internal(set) var output: Tensor<Float>
    /// `[B, H_q, N_q]`: ln Σ_j exp(s_ij) per query, −∞ for a query that sees no key.
    public internal(set) var logSumExp: Tensor<Float>
}

/// The gradients of an attention call with respect to its inputs, shaped like them.
public struct AttentionGradients: Sendable {
    public internal(set) var queries: Tensor<Float>
    public internal(set) var keys: Tensor<Float>
    public internal(set) var values: Tensor<Float>
    /// Gradients of the depth slots' keys and values (`DepthSlots`), nil when the call had none.
    public internal(set) var depthKeys: Tensor<Float>?
    public internal(set) var depthValues: Tensor<Float>?

    /// dQ, dK, dV and, when present, the depth slots' dK, dV, in that order.
    var tensors: [Tensor<Float>] { [queries, keys, values] + [depthKeys, depthValues].compactMap { $0 } }

    /// The gradients from `tensors` in the order of the property above (3, or 5 with depth slots).
    init(tensors: [Tensor<Float>]) {
        (queries, keys, values) = (tensors[0], tensors[1], tensors[2])
        (depthKeys, depthValues) = tensors.count == 5 ? (tensors[3], tensors[4]) : (nil, nil)
    }
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
    let shapes = [queries.shape, keys.shape, values.shape] + (depth.map { [$0.keys.shape, $0.values.shape] } ?? [])
    var gradients = AttentionGradients(tensors: shapes.map { Tensor(zeros: $0) })
    try scaledDotProductAttentionBackward(
        queries: queries, keys: keys, values: values, depth: depth, forward: forward, gradOutput: gradOutput,
        mask: mask, scale: scale, threads: threads, into: &gradients)
    return gradients
}

/// `scaledDotProductAttentionBackward` written over `gradients`, the result of an earlier call with the
/// same shapes: a training loop that keeps it allocates no gradient memory after its first step. (With
/// MoDA depth slots the slot gradients are `2·B·H·N·S·D` floats — 400 MB at N = 4096, H = 8, S = 24,
/// D = 64 — so fresh ones per call would cost more in page faults than the slots' arithmetic.)
///
/// - Throws: `AttentionError` for mismatched shapes, including `gradients` of other shapes than the
///   call's inputs or with depth-slot gradients present exactly when `depth` is not.
public func scaledDotProductAttentionBackward(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, depth: DepthSlots? = nil,
    forward: AttentionResult, gradOutput: Tensor<Float>, mask: AttentionMask = .none, scale: Float? = nil,
    threads: Int = Parallelism.defaultThreads, into gradients: inout AttentionGradients
) throws {
    let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
    try shape.validate(mask)
    let slots = try depth?.slotCount(for: shape)
    guard gradOutput.shape == queries.shape, forward.output.shape == queries.shape else {
        throw AttentionError.mismatch("gradient of the output has shape \(gradOutput.shape) and the output \(forward.output.shape); both must be \(queries.shape)")
    }
    let shapes = [queries.shape, keys.shape, values.shape] + (depth.map { [$0.keys.shape, $0.values.shape] } ?? [])
    var outputs = gradients.tensors
    guard outputs.map(\.shape) == shapes else {
        throw AttentionError.mismatch("gradient buffers have shapes \(outputs.map(\.shape)); this call needs \(shapes)")
    }
    let scale = scale ?? 1 / Float(shape.headDimension).squareRoot()
    let inputs = [queries, keys, values, forward.output, forward.logSumExp, gradOutput]
        + (depth.map { [$0.keys, $0.values] } ?? [])
    // Move the tensors out of `gradients` so their storage is unshared and written in place.
    gradients = AttentionGradients(tensors: outputs.map { _ in Tensor(zeros: [0]) })
    withTensorStorage(reading: inputs, writing: &outputs) { i, o in
        flashAttentionBackward(
            shape: shape, mask: mask, scale: scale, queries: i[0], keys: i[1], values: i[2], output: i[3],
            logSumExp: i[4], gradOutput: i[5], gradQueries: o[0], gradKeys: o[1], gradValues: o[2],
            depth: slots.map {
                (DepthPointers(keys: i[6], values: i[7], slots: $0), DepthPointers(keys: o[3], values: o[4], slots: $0))
            },
            threads: threads)
    }
    gradients = AttentionGradients(tensors: outputs)
}
