import Kernels

/// The paper's transformer in Float64, written from the definition (one head at a time, scores
/// materialised, no padding): the yardstick for `PaperTransformer`'s forward pass, and through finite
/// differences for its backward pass.
///
/// The structure (layers, heads, which layers have an MLP, activations) comes from `model`; the values
/// come from `weights`, keyed by the safetensors names of `ModelWeightNames`, so a test can perturb any
/// weight element in Float64. Cost O(L·H·N²·(k + m) + L·N·m·(H·(2k + m) + f)) per sequence, O(N²) memory.
public struct PaperTransformerReference: Sendable {
    /// The structure; its Float32 weights are not used by `forward`.
    public let model: PaperTransformer
    /// Every weight of the model in Float64, by name.
    public var weights: [String: Tensor<Double>]

    /// The reference of `model`, with its weights converted exactly to Float64.
    public init(_ model: PaperTransformer) {
        self.model = model
        weights = Dictionary(uniqueKeysWithValues: model.namedWeights.map { ($0.name, $0.tensor.converted(to: Double.self)) })
    }

    /// The model applied to `x`, `[N, m]` or `[B, N, m]` (each sequence on its own).
    public func forward(_ x: Tensor<Double>) -> Tensor<Double> {
        let weights = ReferenceWeights(tensors: self.weights)
        let outputs = ReferenceMath.sequences(x).map { sequence in
            var state = sequence  // [N, m]
            for (l, layer) in model.layers.enumerated() {
                var next = state
                for h in layer.heads.indices {
                    let queries = ReferenceMath.product(state, weights[ModelWeightNames.paperQuery(layer: l, head: h)])
                    let keys = ReferenceMath.product(state, weights[ModelWeightNames.paperKey(layer: l, head: h)])
                    let values = ReferenceMath.product(state, weights[ModelWeightNames.paperValue(layer: l, head: h)])
                    next = ReferenceMath.sum(next, ReferenceMath.attention(
                        queries: queries, keys: keys, values: values, scale: 1, causal: false))
                }
                if let mlp = layer.mlp {
                    next = ReferenceMath.sum(next, weights.mlpUpdate(next, layer: l, activation: mlp.activation))
                }
                state = next
            }
            return state
        }
        return ReferenceMath.stack(outputs, like: x)
    }
}
