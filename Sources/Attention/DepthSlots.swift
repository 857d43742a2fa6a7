import Kernels

/// Mixture-of-Depths Attention (MoDA) depth slots: S extra keys and values per query token, the K/V that
/// earlier layers produced for that same token position.
///
/// Legend: B batch, H_q query heads, N_q queries, S depth slots, D head dimension. `keys` and `values`
/// are `[B, H_q, N_q, S, D]` (or `[H_q, N_q, S, D]` with B = 1). Query (b, h, i) attends, in one softmax,
/// over its visible sequence keys and over its own S slots `keys[b, h, i, 0..<S]`; the mask never hides a
/// depth slot, so with depth slots every query sees at least S keys. Cost per query: 4·S·D FLOPs forward,
/// reading 2·S·D floats once (memory-bound: 8·B·H_q·N_q·S·D bytes per forward pass).
public struct DepthSlots: Sendable {
    public let keys: Tensor<Float>
    public let values: Tensor<Float>

    public init(keys: Tensor<Float>, values: Tensor<Float>) {
        self.keys = keys
        self.values = values
    }

    /// S, after checking both tensors against the attention's queries.
    func slotCount(for shape: AttentionShape) throws -> Int {
        try DepthSlots.slotCount(keys: keys.shape, values: values.shape, for: shape)
    }

    /// S for depth tensors of shapes `keys` and `values` next to the queries of `shape`: rank 4 or 5, the
    /// same shape, B, H_q, N_q and D equal to the queries', S ≥ 1.
    public static func slotCount(keys: [Int], values: [Int], for shape: AttentionShape) throws -> Int {
        for (name, dims) in [("depth keys", keys), ("depth values", values)] where dims.count != 4 && dims.count != 5 {
            throw AttentionError.mismatch("\(name) have shape \(dims) (rank \(dims.count)); expected [H, N, S, D] or [B, H, N, S, D]")
        }
        guard keys == values else {
            throw AttentionError.mismatch("depth keys \(keys) and depth values \(values) must have the same shape")
        }
        let full = keys.count == 4 ? [1] + keys : keys
        let expected = [shape.batch, shape.queryHeads, shape.queryLength, full[3], shape.headDimension]
        guard full == expected else {
            throw AttentionError.mismatch("depth keys \(keys) disagree with the queries: expected [B, H, N, S, D] = "
                + "[\(shape.batch), \(shape.queryHeads), \(shape.queryLength), S, \(shape.headDimension)]")
        }
        guard full[3] >= 1 else { throw AttentionError.mismatch("depth keys \(keys) have no slots (S = 0)") }
        return full[3]
    }
}

/// Raw views of depth-slot tensors inside the kernels: row-major `[B·H_q, N_q, S, D]` keys and values
/// (or their gradients).
struct DepthPointers<Pointer> {
    let keys: Pointer
    let values: Pointer
    /// S.
    let slots: Int
}

extension AttentionShape {
    /// Offset in `[B·H_q, N_q, S, D]` depth tensors of the `[S, D]` slots of query `query` of flattened head `head`.
    @inline(__always) func depthOffset(head: Int, query: Int, slots: Int) -> Int {
        (head * queryLength + query) * slots * headDimension
    }
}
