import Attention
import Kernels

/// The MoDA depth cache of one replica: for every token position, the K/V slots that earlier layers of
/// the model produced for it (SCIENCE.md §5). Each producing layer owns one slot index k, in the order the
/// layers run; the attention layer with slot k reads slots 0..<k as its depth keys.
///
/// Storage is slot-major, `[S_max, B, H, N, d]` (B the replica's batch capacity), so a producer writes its
/// head-major K/V with one copy; `depth(slots:batch:)` gathers the `[B, H, N, S, d]` tensors the engine
/// takes (B·H·N·S·d floats each for keys and values). The gradient buffers have the same layout and are
/// filled during the backward pass by the layers that read the slots, before their producers run.
/// The Float64 slots of the stack's `reference` pass live beside them.
final class DepthCache {
    let slotCapacity: Int
    let heads: Int
    let length: Int
    let headDimension: Int
    let batchCapacity: Int
    private let keys: FloatBuffer
    private let values: FloatBuffer
    private let gradKeys: FloatBuffer
    private let gradValues: FloatBuffer
    /// Float64 slots of the reference pass, `[B, H, N, d]` each (empty until produced).
    private var referenceKeys: [[Double]]
    private var referenceValues: [[Double]]

    init(slots: Int, heads: Int, length: Int, headDimension: Int, batch: Int) {
        slotCapacity = slots
        self.heads = heads
        self.length = length
        self.headDimension = headDimension
        batchCapacity = batch
        let count = slots * batch * heads * length * headDimension
        keys = FloatBuffer(count: count)
        values = FloatBuffer(count: count)
        gradKeys = FloatBuffer(count: count)
        gradValues = FloatBuffer(count: count)
        referenceKeys = Array(repeating: [], count: slots)
        referenceValues = Array(repeating: [], count: slots)
    }

    /// Floats of one example's K (or V) in one slot: H·N·d.
    private var exampleSize: Int { heads * length * headDimension }

    /// Head-major `[B, H, N, d]` storage of slot `slot`'s keys / values and their gradients.
    func keys(_ slot: Int) -> UnsafeMutablePointer<Float> { keys.pointer + slot * batchCapacity * exampleSize }
    func values(_ slot: Int) -> UnsafeMutablePointer<Float> { values.pointer + slot * batchCapacity * exampleSize }
    func gradKeys(_ slot: Int) -> UnsafeMutablePointer<Float> { gradKeys.pointer + slot * batchCapacity * exampleSize }
    func gradValues(_ slot: Int) -> UnsafeMutablePointer<Float> { gradValues.pointer + slot * batchCapacity * exampleSize }

    /// Zeroes the slot gradients; the stack calls it before its backward pass.
    func clearGradients() {
        gradKeys.zero()
        gradValues.zero()
    }

    /// Slots 0..<`slots` of the first `batch` examples as the engine's depth tensors `[B, H, N, S, d]`.
    /// Cost: copies 2·B·H·N·S·d floats.
    func depth(slots: Int, batch: Int) -> DepthSlots {
        DepthSlots(keys: gather(keys.pointer, slots: slots, batch: batch),
                   values: gather(values.pointer, slots: slots, batch: batch))
    }

    /// Adds depth-slot gradients `[B, H, N, S, d]` (from the engine's backward) into slots 0..<S.
    func addGradients(keys dKeys: Tensor<Float>, values dValues: Tensor<Float>, batch: Int) {
        scatterAdd(dKeys, into: gradKeys.pointer, batch: batch)
        scatterAdd(dValues, into: gradValues.pointer, batch: batch)
    }

    private func gather(_ storage: UnsafeMutablePointer<Float>, slots: Int, batch: Int) -> Tensor<Float> {
        let d = headDimension, rows = batch * heads * length
        var tensor = Tensor<Float>(zeros: [batch, heads, length, slots, d])
        tensor.withUnsafeMutableBufferPointer { target in
            for slot in 0..<slots {
                let source = storage + slot * batchCapacity * exampleSize
                for row in 0..<rows {
                    (target.baseAddress! + (row * slots + slot) * d).update(from: source + row * d, count: d)
                }
            }
        }
        return tensor
    }

    private func scatterAdd(_ gradients: Tensor<Float>, into storage: UnsafeMutablePointer<Float>, batch: Int) {
        let d = headDimension, rows = batch * heads * length, slots = gradients.shape[3]
        gradients.withUnsafeBufferPointer { source in
            for slot in 0..<slots {
                let target = storage + slot * batchCapacity * exampleSize
                for row in 0..<rows {
                    let from = source.baseAddress! + (row * slots + slot) * d
                    for c in 0..<d { target[row * d + c] += from[c] }
                }
            }
        }
    }

    // MARK: Float64 reference

    /// Forgets the reference slots; the stack's `reference` starts with it.
    func clearReference() {
        referenceKeys = Array(repeating: [], count: slotCapacity)
        referenceValues = Array(repeating: [], count: slotCapacity)
    }

    /// Stores the Float64 K/V `[B, H, N, d]` that slot `slot`'s producer computed in the reference pass.
    func storeReference(slot: Int, keys: Tensor<Double>, values: Tensor<Double>) {
        referenceKeys[slot] = keys.elements
        referenceValues[slot] = values.elements
    }

    /// Reference slots 0..<`slots` of `batch` examples as `[B, H, N, S, d]` Float64 tensors.
    func referenceDepth(slots: Int, batch: Int) -> ReferenceAttention.Depth {
        let (h, n, d) = (heads, length, headDimension)
        func gather(_ stored: [[Double]]) -> Tensor<Double> {
            Tensor(shape: [batch, h, n, slots, d]) { i in stored[i[3]][((i[0] * h + i[1]) * n + i[2]) * d + i[4]] }
        }
        return (gather(referenceKeys), gather(referenceValues))
    }
}
