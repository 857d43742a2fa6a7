import Kernels

/// The standard pre-norm transformer in Float64, written from the definition (norms from
/// `VectorMathReference`, one head at a time with scores materialised): the yardstick for
/// `StandardTransformer`, directly for the forward pass and through finite differences for the backward.
///
/// The structure (layers, heads, norm kind, mask, ε, activation) comes from `model`; the values from
/// `weights`, keyed by the safetensors names of `ModelWeightNames`, so a test can perturb any element.
/// Cost O(L·(N²·m + N·m² + N·m·f)) per sequence, O(N²) memory.
public struct StandardTransformerReference: Sendable {
    /// The structure; its Float32 weights are not used by `forward`.
    public let model: StandardTransformer
    /// Every weight of the model in Float64, by name.
    public var weights: [String: Tensor<Double>]

    /// The reference of `model`, with its weights converted exactly to Float64.
    public init(_ model: StandardTransformer) {
        self.model = model
        weights = Dictionary(uniqueKeysWithValues: model.namedWeights.map { ($0.name, $0.tensor.converted(to: Double.self)) })
    }

    /// The model applied to `x`, `[N, m]` or `[B, N, m]` (each sequence on its own).
    public func forward(_ x: Tensor<Double>) -> Tensor<Double> {
        let weights = ReferenceWeights(tensors: self.weights)
        let m = model.embedding, d = model.headDimension, scale = 1 / Double(d).squareRoot()
        let outputs = ReferenceMath.sequences(x).map { sequence in
            var state = sequence  // [N, m]
            for (l, layer) in model.layers.enumerated() {
                let normalized = norm(state, prefix: ModelWeightNames.norm1Prefix(layer: l), weights: weights)
                let project = { ReferenceMath.product(normalized, weights[ModelWeightNames.attention(layer: l, $0)]) }
                let (queries, keys, values) = (project("w_q"), project("w_k"), project("w_v"))
                let heads = (0..<model.heads).map { h in
                    ReferenceMath.attention(
                        queries: Self.columns(queries, h * d, d), keys: Self.columns(keys, h * d, d),
                        values: Self.columns(values, h * d, d), scale: scale, causal: model.causal)
                }
                let concatenated = Tensor<Double>(shape: [sequence.shape[0], m]) { index in
                    heads[index[1] / d][index[0], index[1] % d]
                }
                state = ReferenceMath.sum(state, ReferenceMath.product(concatenated, weights[ModelWeightNames.attention(layer: l, "w_o")]))
                let normalized2 = norm(state, prefix: ModelWeightNames.norm2Prefix(layer: l), weights: weights)
                state = ReferenceMath.sum(state, weights.mlpUpdate(normalized2, layer: l, activation: layer.mlp.activation))
            }
            return model.finalNorm == nil ? state : norm(state, prefix: ModelWeightNames.finalNormPrefix, weights: weights)
        }
        return ReferenceMath.stack(outputs, like: x)
    }

    /// Columns `first ..< first + width` of `[N, m]`.
    private static func columns(_ x: Tensor<Double>, _ first: Int, _ width: Int) -> Tensor<Double> {
        Tensor(shape: [x.shape[0], width]) { x[$0[0], first + $0[1]] }
    }

    /// The model's norm of every row of `[N, m]`, with the weights under `prefix`.
    private func norm(_ x: Tensor<Double>, prefix: String, weights: ReferenceWeights) -> Tensor<Double> {
        let (rows, columns) = (x.shape[0], x.shape[1])
        let gamma = weights[ModelWeightNames.norm(prefix, bias: false)].elements
        let epsilon = Double(model.epsilon)
        let y = switch model.normalization {
        case .layerNorm:
            VectorMathReference.layerNormForward(
                x.elements, gamma: gamma, beta: weights[ModelWeightNames.norm(prefix, bias: true)].elements,
                epsilon: epsilon, rows: rows, columns: columns).y
        case .rmsNorm:
            VectorMathReference.rmsNormForward(x.elements, gamma: gamma, epsilon: epsilon, rows: rows, columns: columns).y
        }
        return Tensor(shape: x.shape, elements: y)
    }
}
