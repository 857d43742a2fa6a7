import Attention
import Kernels

// Forward and backward passes of the paper's transformer. Legend: B batch, N tokens, R = B·N rows,
// m embedding, k query/key width, H heads, D = max(k, m) padded head dimension.

extension PaperTransformer {
    /// What `backward` needs from a forward pass: per layer the input, the fused projection, the
    /// per-head queries, keys and values, the attention output with its log-sum-exp, and the MLP's
    /// activations. Memory ≈ per layer R·(m + 4·H·D + 2f) floats. Only valid with the model that made it.
    public struct Cache: Sendable {
        let shape: SequenceShape
        let layers: [LayerCache]
    }

    struct LayerCache: Sendable {
        /// `[R, m]`, the layer's input.
        let input: Tensor<Float>
        /// `[m, 3·H·D]`, see `PaperLayer.fusedProjection`.
        let projection: Tensor<Float>
        /// `[B, H, N, D]` each.
        let queries, keys, values: Tensor<Float>
        let attention: AttentionResult
        let mlp: MLPCache?
    }

    /// The model applied to `x` (`[N, m]` or `[B, N, m]`); the output has the input's shape.
    /// Cost ≈ `forwardFLOPs` (more with padding when k ≠ m), extra memory O(R·H·D) per layer at a time.
    /// - Throws: `ModelError` for an invalid model or input shape.
    public func forward(_ x: Tensor<Float>, threads: Int = Parallelism.defaultThreads) throws -> Tensor<Float> {
        try run(x, keepingCaches: false, threads: threads).output
    }

    /// `forward`, also returning the cache for `backward`.
    public func forwardWithCache(
        _ x: Tensor<Float>, threads: Int = Parallelism.defaultThreads
    ) throws -> (output: Tensor<Float>, cache: Cache) {
        try run(x, keepingCaches: true, threads: threads)
    }

    /// Gradients of a loss with respect to the input and to every weight, given ∂loss/∂output
    /// (`gradOutput`, shaped like the output) and the `cache` of the forward pass. The weight gradients
    /// come as a `PaperTransformer` of the same structure (each weight replaced by its gradient).
    /// Cost ≈ 2× the forward GEMMs plus 2.5× the forward attention.
    /// - Throws: `ModelError` when `gradOutput` or `cache` do not match this model's forward pass.
    public func backward(
        cache: Cache, gradOutput: Tensor<Float>, threads: Int = Parallelism.defaultThreads
    ) throws -> (input: Tensor<Float>, weights: PaperTransformer) {
        try cache.shape.requireGradient(gradOutput)
        guard cache.layers.count == layers.count, cache.shape.embedding == embedding else {
            throw ModelError.inconsistentLayers("the cache comes from a model with \(cache.layers.count) layers and "
                + "embedding \(cache.shape.embedding), this one has \(layers.count) and \(embedding)")
        }
        var gradient = gradOutput.reshaped([cache.shape.rows, embedding])
        var gradLayers: [PaperLayer] = []
        for (layer, layerCache) in zip(layers, cache.layers).reversed() {
            let (gradInput, gradLayer) = try backwardLayer(layer, layerCache, gradient, shape: cache.shape, threads: threads)
            gradient = gradInput
            gradLayers.append(gradLayer)
        }
        return (gradient.reshaped(cache.shape.original), PaperTransformer(layers: gradLayers.reversed()))
    }

    /// The forward pass. Layer caches are kept only when asked for; otherwise each is freed with its layer.
    private func run(_ x: Tensor<Float>, keepingCaches: Bool, threads: Int) throws -> (output: Tensor<Float>, cache: Cache) {
        try validate()
        let shape = try SequenceShape(validating: x.shape, embedding: embedding, name: "input")
        var activations = x.reshaped([shape.rows, shape.embedding])
        var caches: [LayerCache] = []
        for layer in layers {
            let (output, cache) = try forwardLayer(layer, activations, shape: shape, threads: threads)
            activations = output
            if keepingCaches { caches.append(cache) }
        }
        return (activations.reshaped(shape.original), Cache(shape: shape, layers: caches))
    }

    /// One layer: `Y = X + Σ_h Att_h(X)`, then `Y += MLP(Y)`. x `[R, m]` → `[R, m]`.
    private func forwardLayer(
        _ layer: PaperLayer, _ x: Tensor<Float>, shape: SequenceShape, threads: Int
    ) throws -> (output: Tensor<Float>, cache: LayerCache) {
        let h = layer.heads.count, d = paddedHeadDimension
        let projection = layer.fusedProjection(embedding: embedding, headDimension: d)
        let fused = matrixProduct(x, projection, threads: threads)  // [R, 3·H·D]
        func heads(_ part: Int) -> Tensor<Float> {
            splitHeads(fused, batch: shape.batch, heads: h, headDimension: d, columnOffset: part * h * d, threads: threads)
        }
        let (queries, keys, values) = (heads(0), heads(1), heads(2))  // [B, H, N, D]
        let attention = try scaledDotProductAttention(
            queries: queries, keys: keys, values: values, mask: .none, scale: 1, threads: threads)
        var y = x
        addHeadSum(attention.output, to: &y, threads: threads)
        var mlpCache: MLPCache?
        if let mlp = layer.mlp {
            let (update, cache) = mlp.update(y, threads: threads)
            addInPlace(update, to: &y)
            mlpCache = cache
        }
        let cache = LayerCache(input: x, projection: projection, queries: queries, keys: keys, values: values,
                               attention: attention, mlp: mlpCache)
        return (y, cache)
    }

    /// Backward through one layer: ∂loss/∂output `[R, m]` → ∂loss/∂input and the layer's weight gradients.
    private func backwardLayer(
        _ layer: PaperLayer, _ cache: LayerCache, _ gradOutput: Tensor<Float>, shape: SequenceShape, threads: Int
    ) throws -> (input: Tensor<Float>, layer: PaperLayer) {
        let h = layer.heads.count, d = paddedHeadDimension
        var gradient = gradOutput  // becomes ∂loss/∂(X + Σ Att), then ∂loss/∂X
        var gradMLP: PaperMLP?
        if let mlp = layer.mlp, let mlpCache = cache.mlp {
            let (gradInput, gradWeights) = mlp.backward(mlpCache, gradUpdate: gradOutput, threads: threads)
            addInPlace(gradInput, to: &gradient)
            gradMLP = gradWeights
        }
        let gradHeads = broadcastToHeads(gradient, batch: shape.batch, heads: h, headDimension: d, threads: threads)
        let grads = try scaledDotProductAttentionBackward(
            queries: cache.queries, keys: cache.keys, values: cache.values, forward: cache.attention,
            gradOutput: gradHeads, mask: .none, scale: 1, threads: threads)
        var gradFused = Tensor<Float>(zeros: [shape.rows, 3 * h * d])
        for (part, perHead) in [grads.queries, grads.keys, grads.values].enumerated() {
            mergeHeads(perHead, into: &gradFused, columnOffset: part * h * d, threads: threads)
        }
        multiplyMatrices(gradFused, cache.projection, transposeB: true, into: &gradient, accumulate: true, threads: threads)
        let gradProjection = matrixProduct(cache.input, transposeA: true, gradFused, threads: threads)  // [m, 3·H·D]
        let gradHeadWeights = PaperLayer.heads(fromFused: gradProjection, count: h, keyDimension: keyDimension, headDimension: d)
        return (gradient, PaperLayer(heads: gradHeadWeights, mlp: gradMLP))
    }
}
