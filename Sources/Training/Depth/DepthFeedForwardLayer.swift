import Kernels

/// A block's MLP that also writes MoDA depth slot k: a small K/V projection of the MLP's input
/// (Linear m → 2·H·d: keys, then values, each head-major), stored in the `DepthCache` for the attention
/// layers after it. The MLP's output is unchanged.
///
/// Shapes: x, y `[B, N, m]`; slot K/V `[B, H, N, d]`. Cost: the MLP's plus 2·B·N·m·2Hd FLOPs forward
/// (twice that backward). Backward: dx = the MLP's dx + the projection's dx from the gradient that later
/// attention layers left on slot k.
final class DepthFeedForwardLayer: SequenceLayer {
    let slot: Int
    let cache: DepthCache
    let feedForward: FeedForwardLayer
    let keyValueProjection: LinearLayer
    /// `[B·N, 2·H·d]`: the slot's gradient as projection rows.
    private let gradProjected: FloatBuffer
    /// `[B·N, m]`.
    private let gradInput: FloatBuffer

    /// Registers `{name}.*` (the MLP) and `{name}.depth_kv.*`.
    init(_ name: String, slot: Int, cache: DepthCache, width: Int, hidden: Int, activation: TrainingActivation,
         batch: Int, parameters: ParameterStore) {
        self.slot = slot
        self.cache = cache
        let n = cache.length, inner = cache.heads * cache.headDimension
        feedForward = FeedForwardLayer(name, width: width, hidden: hidden, activation: activation, length: n, batch: batch,
                                       parameters: parameters)
        keyValueProjection = LinearLayer("\(name).depth_kv", input: width, output: 2 * inner, rows: batch * n,
                                         parameters: parameters)
        gradProjected = FloatBuffer(count: batch * n * 2 * inner)
        gradInput = FloatBuffer(count: batch * n * width)
    }

    private var layout: HeadMajorLayout {
        HeadMajorLayout(heads: cache.heads, length: cache.length, headDimension: cache.headDimension)
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let projected = keyValueProjection.forward(x, rows: batch * cache.length, context)
        layout.toHeads(projected, part: 0, parts: 2, batch: batch, into: cache.keys(slot))
        layout.toHeads(projected, part: 1, parts: 2, batch: batch, into: cache.values(slot))
        return feedForward.forward(x, batch: batch, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * cache.length
        let dMLP = feedForward.backward(dy, batch: batch, context)
        let count = rows * keyValueProjection.inputWidth
        gradInput.pointer.update(from: dMLP, count: count)
        layout.toRows(cache.gradKeys(slot), part: 0, parts: 2, batch: batch, into: gradProjected.pointer)
        layout.toRows(cache.gradValues(slot), part: 1, parts: 2, batch: batch, into: gradProjected.pointer)
        let dProjection = keyValueProjection.backward(gradProjected.pointer, rows: rows, context)!
        for i in 0..<count { gradInput.pointer[i] += dProjection[i] }
        return gradInput.pointer
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        let projected = keyValueProjection.reference(x, rows: batch * cache.length, parameters: parameters)
        cache.storeReference(slot: slot, keys: layout.referenceHeads(projected, part: 0, parts: 2, batch: batch),
                             values: layout.referenceHeads(projected, part: 1, parts: 2, batch: batch))
        return feedForward.reference(x, batch: batch, parameters: parameters)
    }
}
