import Attention
import Kernels

// Forward and backward passes of the standard pre-norm transformer. Legend: B batch, N tokens,
// R = B·N rows, m embedding, H heads, d = m/H head dimension, f MLP hidden width.

extension StandardTransformer {
    /// What `backward` needs from a forward pass (per layer: norm inputs and statistics, the normalised
    /// input, queries, keys, values, attention output and MLP activations). Memory ≈ per layer
    /// R·(9m + 2f) floats. Only valid with the model that made it.
    public struct Cache: Sendable {
        let shape: SequenceShape
        let layers: [LayerCache]
        let finalNorm: NormCache?
    }

    struct LayerCache: Sendable {
        let norm1: NormCache
        /// `[R, m]`, norm1(X).
        let normalized: Tensor<Float>
        /// `[m, 3m]`, W_Q | W_K | W_V.
        let projection: Tensor<Float>
        /// `[B, H, N, d]` each.
        let queries, keys, values: Tensor<Float>
        let attention: AttentionResult
        /// `[R, m]`, the heads' outputs side by side (head h in columns h·d…).
        let concatenated: Tensor<Float>
        let norm2: NormCache
        let mlp: MLPCache
    }

    /// The model applied to `x` (`[N, m]` or `[B, N, m]`); the output has the input's shape.
    /// Cost ≈ `forwardFLOPs`.
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
    /// come as a `StandardTransformer` of the same structure. Cost ≈ 2× the forward GEMMs plus 2.5× the
    /// forward attention.
    /// - Throws: `ModelError` when `gradOutput` or `cache` do not match this model's forward pass.
    public func backward(
        cache: Cache, gradOutput: Tensor<Float>, threads: Int = Parallelism.defaultThreads
    ) throws -> (input: Tensor<Float>, weights: StandardTransformer) {
        try cache.shape.requireGradient(gradOutput)
        guard cache.layers.count == layers.count, cache.shape.embedding == embedding,
              (cache.finalNorm == nil) == (finalNorm == nil) else {
            throw ModelError.inconsistentLayers("the cache comes from a model with \(cache.layers.count) layers and "
                + "embedding \(cache.shape.embedding), this one has \(layers.count) and \(embedding)")
        }
        var gradient = gradOutput.reshaped([cache.shape.rows, embedding])
        var gradFinalNorm: NormWeights?
        if let finalNorm, let finalCache = cache.finalNorm {
            (gradient, gradFinalNorm) = finalNorm.backward(finalCache, gradOutput: gradient, kind: normalization)
        }
        var gradLayers: [StandardLayer] = []
        for (layer, layerCache) in zip(layers, cache.layers).reversed() {
            let (gradInput, gradLayer) = try backwardLayer(layer, layerCache, gradient, shape: cache.shape, threads: threads)
            gradient = gradInput
            gradLayers.append(gradLayer)
        }
        let gradModel = StandardTransformer(
            layers: gradLayers.reversed(), heads: heads, normalization: normalization, causal: causal,
            finalNorm: gradFinalNorm, epsilon: epsilon)
        return (gradient.reshaped(cache.shape.original), gradModel)
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
        var finalCache: NormCache?
        if let finalNorm {
            (activations, finalCache) = finalNorm.forward(activations, kind: normalization, epsilon: epsilon)
        }
        return (activations.reshaped(shape.original), Cache(shape: shape, layers: caches, finalNorm: finalCache))
    }

    private var mask: AttentionMask { causal ? .causal : .none }
    private var scale: Float { 1 / Float(headDimension).squareRoot() }

    /// One block. x `[R, m]` → `[R, m]`.
    private func forwardLayer(
        _ layer: StandardLayer, _ x: Tensor<Float>, shape: SequenceShape, threads: Int
    ) throws -> (output: Tensor<Float>, cache: LayerCache) {
        let m = embedding, d = headDimension
        let (normalized, norm1Cache) = layer.norm1.forward(x, kind: normalization, epsilon: epsilon)
        let projection = layer.attention.fusedProjection
        let fused = matrixProduct(normalized, projection, threads: threads)  // [R, 3m]
        func split(_ part: Int) -> Tensor<Float> {
            splitHeads(fused, batch: shape.batch, heads: heads, headDimension: d, columnOffset: part * m, threads: threads)
        }
        let (queries, keys, values) = (split(0), split(1), split(2))  // [B, H, N, d]
        let attention = try scaledDotProductAttention(
            queries: queries, keys: keys, values: values, mask: mask, scale: scale, threads: threads)
        var concatenated = Tensor<Float>(zeros: [shape.rows, m])
        mergeHeads(attention.output, into: &concatenated, columnOffset: 0, threads: threads)
        var afterAttention = x
        multiplyMatrices(concatenated, layer.attention.outputWeight, into: &afterAttention, accumulate: true, threads: threads)
        let (normalized2, norm2Cache) = layer.norm2.forward(afterAttention, kind: normalization, epsilon: epsilon)
        let (update, mlpCache) = layer.mlp.update(normalized2, threads: threads)
        var output = afterAttention
        addInPlace(update, to: &output)
        let cache = LayerCache(
            norm1: norm1Cache, normalized: normalized, projection: projection, queries: queries, keys: keys, values: values,
            attention: attention, concatenated: concatenated, norm2: norm2Cache, mlp: mlpCache)
        return (output, cache)
    }

    /// Backward through one block: ∂loss/∂output `[R, m]` → ∂loss/∂input and the block's weight gradients.
    private func backwardLayer(
        _ layer: StandardLayer, _ cache: LayerCache, _ gradOutput: Tensor<Float>, shape: SequenceShape, threads: Int
    ) throws -> (input: Tensor<Float>, layer: StandardLayer) {
        let m = embedding, d = headDimension
        // X2 = X1 + MLP(norm2(X1))
        let (gradNormalized2, gradMLP) = layer.mlp.backward(cache.mlp, gradUpdate: gradOutput, threads: threads)
        let (gradThroughNorm2, gradNorm2) = layer.norm2.backward(cache.norm2, gradOutput: gradNormalized2, kind: normalization)
        var gradient = gradOutput  // ∂loss/∂X1
        addInPlace(gradThroughNorm2, to: &gradient)
        // X1 = X + concat·W_O
        let gradOutputWeight = matrixProduct(cache.concatenated, transposeA: true, gradient, threads: threads)  // [m, m]
        let gradConcatenated = matrixProduct(gradient, layer.attention.outputWeight, transposeB: true, threads: threads)
        let gradHeads = splitHeads(gradConcatenated, batch: shape.batch, heads: heads, headDimension: d, columnOffset: 0,
                                   threads: threads)
        let grads = try scaledDotProductAttentionBackward(
            queries: cache.queries, keys: cache.keys, values: cache.values, forward: cache.attention,
            gradOutput: gradHeads, mask: mask, scale: scale, threads: threads)
        var gradFused = Tensor<Float>(zeros: [shape.rows, 3 * m])
        for (part, perHead) in [grads.queries, grads.keys, grads.values].enumerated() {
            mergeHeads(perHead, into: &gradFused, columnOffset: part * m, threads: threads)
        }
        let gradProjection = matrixProduct(cache.normalized, transposeA: true, gradFused, threads: threads)  // [m, 3m]
        let gradNormalized = matrixProduct(gradFused, cache.projection, transposeB: true, threads: threads)  // [R, m]
        let (gradThroughNorm1, gradNorm1) = layer.norm1.backward(cache.norm1, gradOutput: gradNormalized, kind: normalization)
        addInPlace(gradThroughNorm1, to: &gradient)
        let gradAttention = StandardAttentionWeights(
            queryWeight: columns(gradProjection, from: 0, width: m), keyWeight: columns(gradProjection, from: m, width: m),
            valueWeight: columns(gradProjection, from: 2 * m, width: m), outputWeight: gradOutputWeight)
        return (gradient, StandardLayer(norm1: gradNorm1, attention: gradAttention, norm2: gradNorm2, mlp: gradMLP))
    }
}

extension StandardAttentionWeights {
    /// `[m, 3m]`: W_Q, W_K, W_V side by side, so one GEMM projects all three. O(m²) copies.
    var fusedProjection: Tensor<Float> {
        let m = queryWeight.matrixRows
        var fused = Tensor<Float>(zeros: [m, 3 * m])
        for (part, weight) in [queryWeight, keyWeight, valueWeight].enumerated() {
            copyColumns(weight, from: 0, into: &fused, at: part * m, width: m)
        }
        return fused
    }
}
