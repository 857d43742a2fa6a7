import Attention
import Foundation
import Kernels

/// Multi-head exact attention whose queries also attend to MoDA depth slots: the K/V that earlier layers
/// produced for the query's own token position (`DepthCache` slots 0..<k, k this layer's slot), in one
/// softmax with the sequence keys. Its own K/V become slot k for the layers after it.
///
/// Shapes (B batch, N tokens, m width, H heads, d head dim, S = k depth slots): x `[B, N, m]` → fused
/// projection `[B·N, 3·H·d]` → Q, K, V `[B, H, N, d]`, depth K/V `[B, H, N, S, d]` →
/// `scaledDotProductAttention` (scale 1/√d, the model's mask; no depth slots for k = 0) → `[B, N, H·d]` →
/// output projection → y `[B, N, m]`. Always the flash path: `ShortSequenceAttention` has no depth slots.
/// Cost: `AttentionLayer`'s plus 4·B·H·N·S·d FLOPs forward (8·B·H·N·S·d backward) and copies of
/// 2·B·H·N·S·d floats to gather the slots (forward and again in the backward pass).
/// Backward: the engine's depth-slot gradients go to the cache for the slots' producers; the gradient
/// that later layers left on slot k is added to this layer's dK, dV.
final class DepthAttentionLayer: SequenceLayer {
    let slot: Int
    let cache: DepthCache
    let mask: AttentionMask
    let projection: LinearLayer
    let outputProjection: LinearLayer
    private var queries: Tensor<Float>
    private var gradOutput: Tensor<Float>
    private var result: AttentionResult?
    /// `[B·N, H·d]`: the heads' outputs side by side.
    private let attended: FloatBuffer
    /// `[B·N, 3·H·d]`.
    private let gradProjected: FloatBuffer

    /// Registers `{name}.qkv.*` and `{name}.out.*`, like `AttentionLayer`.
    init(_ name: String, slot: Int, cache: DepthCache, width: Int, mask: AttentionMask, batch: Int,
         parameters: ParameterStore) {
        self.slot = slot
        self.cache = cache
        self.mask = mask
        let (h, n, d) = (cache.heads, cache.length, cache.headDimension)
        projection = LinearLayer("\(name).qkv", input: width, output: 3 * h * d, rows: batch * n, parameters: parameters)
        outputProjection = LinearLayer("\(name).out", input: h * d, output: width, rows: batch * n, parameters: parameters)
        queries = Tensor(zeros: [batch, h, n, d])
        gradOutput = Tensor(zeros: [batch, h, n, d])
        attended = FloatBuffer(count: batch * n * h * d)
        gradProjected = FloatBuffer(count: batch * n * 3 * h * d)
    }

    private var scale: Float { 1 / Float(cache.headDimension).squareRoot() }
    private var layout: HeadMajorLayout {
        HeadMajorLayout(heads: cache.heads, length: cache.length, headDimension: cache.headDimension)
    }

    /// Sequence K/V `[B, H, N, d]` of the first `batch` examples: this layer's slot in the cache.
    private func sequenceTensor(_ storage: UnsafeMutablePointer<Float>, batch: Int) -> Tensor<Float> {
        let count = batch * cache.heads * cache.length * cache.headDimension
        return Tensor(shape: [batch, cache.heads, cache.length, cache.headDimension],
                      elements: Array(UnsafeBufferPointer(start: storage, count: count)))
    }

    private func depth(batch: Int) -> DepthSlots? { slot == 0 ? nil : cache.depth(slots: slot, batch: batch) }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * cache.length
        let projected = projection.forward(x, rows: rows, context)
        queries.withUnsafeMutableBufferPointer { layout.toHeads(projected, part: 0, parts: 3, batch: batch, into: $0.baseAddress!) }
        layout.toHeads(projected, part: 1, parts: 3, batch: batch, into: cache.keys(slot))
        layout.toHeads(projected, part: 2, parts: 3, batch: batch, into: cache.values(slot))
        let forward = try! scaledDotProductAttention(
            queries: queries.rows(0..<batch), keys: sequenceTensor(cache.keys(slot), batch: batch),
            values: sequenceTensor(cache.values(slot), batch: batch), depth: depth(batch: batch), mask: mask,
            scale: scale, threads: context.threads)
        result = forward
        forward.output.withUnsafeBufferPointer { o in
            layout.toRows(o.baseAddress!, part: 0, parts: 1, batch: batch, into: attended.pointer)
        }
        return outputProjection.forward(attended.pointer, rows: rows, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * cache.length
        guard let result else { preconditionFailure("backward before forward") }
        let dAttended = outputProjection.backward(dy, rows: rows, context)!
        gradOutput.withUnsafeMutableBufferPointer { g in
            layout.toHeads(dAttended, part: 0, parts: 1, batch: batch, into: g.baseAddress!)
        }
        let depth = depth(batch: batch)
        let gradients = try! scaledDotProductAttentionBackward(
            queries: queries.rows(0..<batch), keys: sequenceTensor(cache.keys(slot), batch: batch),
            values: sequenceTensor(cache.values(slot), batch: batch), depth: depth, forward: result,
            gradOutput: gradOutput.rows(0..<batch), mask: mask, scale: scale, threads: context.threads)
        if let dKeys = gradients.depthKeys, let dValues = gradients.depthValues {
            cache.addGradients(keys: dKeys, values: dValues, batch: batch)
        }
        let fromLater = [cache.gradKeys(slot), cache.gradValues(slot)]
        for (part, tensor) in [gradients.queries, gradients.keys, gradients.values].enumerated() {
            var total = tensor
            if part > 0 {
                total.withUnsafeMutableBufferPointer { g in
                    for i in 0..<g.count { g[i] += fromLater[part - 1][i] }
                }
            }
            total.withUnsafeBufferPointer { source in
                layout.toRows(source.baseAddress!, part: part, parts: 3, batch: batch, into: gradProjected.pointer)
            }
        }
        return projection.backward(gradProjected.pointer, rows: rows, context)!
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        let (n, d) = (cache.length, cache.headDimension)
        let projected = projection.reference(x, rows: batch * n, parameters: parameters)
        func part(_ index: Int) -> Tensor<Double> { layout.referenceHeads(projected, part: index, parts: 3, batch: batch) }
        let (keys, values) = (part(1), part(2))
        let output = try! ReferenceAttention.forward(
            queries: part(0), keys: keys, values: values,
            depth: slot == 0 ? nil : cache.referenceDepth(slots: slot, batch: batch), mask: mask,
            scale: 1 / Double(d).squareRoot()).output
        cache.storeReference(slot: slot, keys: keys, values: values)
        return outputProjection.reference(layout.referenceRows(output, batch: batch), rows: batch * n, parameters: parameters)
    }

    /// The mean, over the last forward's `batch` examples, heads and queries, of the softmax probability
    /// on the depth slots: exp(lse_depth − lse_all), lse_depth the log-sum-exp of the S slot scores alone.
    /// 0 for the first layer (no slots). Cost: 2·B·H·N·S·d FLOPs plus gathering the slots.
    func depthMassShare(batch: Int) -> Double {
        guard slot > 0, let result, let depth = depth(batch: batch) else { return 0 }
        let (d, s) = (cache.headDimension, slot)
        let rows = batch * cache.heads * cache.length
        var total = 0.0
        queries.withUnsafeBufferPointer { q in
            depth.keys.withUnsafeBufferPointer { k in
                result.logSumExp.withUnsafeBufferPointer { lse in
                    for row in 0..<rows {
                        let scores = (0..<s).map { j in
                            Double(scale) * (0..<d).reduce(0.0) { $0 + Double(q[row * d + $1]) * Double(k[(row * s + j) * d + $1]) }
                        }
                        let top = scores.max()!
                        let depthLSE = top + Foundation.log(scores.reduce(0) { $0 + Foundation.exp($1 - top) })
                        total += Foundation.exp(depthLSE - Double(lse[row]))
                    }
                }
            }
        }
        return total / Double(rows)
    }
}
