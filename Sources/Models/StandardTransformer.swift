import Kernels

/// The attention weights of one standard block, all `[m, m]`: head h uses columns h·d ..< (h+1)·d of
/// the query, key and value weights (d = m/H) and rows h·d ..< (h+1)·d of the output weight.
public struct StandardAttentionWeights: Sendable {
    public var queryWeight: Tensor<Float>
    public var keyWeight: Tensor<Float>
    public var valueWeight: Tensor<Float>
    public var outputWeight: Tensor<Float>

    public init(queryWeight: Tensor<Float>, keyWeight: Tensor<Float>, valueWeight: Tensor<Float>, outputWeight: Tensor<Float>) {
        self.queryWeight = queryWeight
        self.keyWeight = keyWeight
        self.valueWeight = valueWeight
        self.outputWeight = outputWeight
    }
}

/// One pre-norm block: `X ← X + concat_h(Att_h(norm1(X)))·W_O`, then `X ← X + MLP(norm2(X))`.
public struct StandardLayer: Sendable {
    public var norm1: NormWeights
    public var attention: StandardAttentionWeights
    public var norm2: NormWeights
    public var mlp: PaperMLP

    public init(norm1: NormWeights, attention: StandardAttentionWeights, norm2: NormWeights, mlp: PaperMLP) {
        self.norm1 = norm1
        self.attention = attention
        self.norm2 = norm2
        self.mlp = mlp
    }
}

/// The usual pre-norm transformer (GPT-2 style): per layer
/// `X ← X + concat_h(softmax(Q_h·K_hᵀ/√d + mask)·V_h)·W_O` with Q, K, V = norm1(X)·W_Q, W_K, W_V, then
/// `X ← X + act(norm2(X)·W1 + b1)·W2 + b2`; optionally a final norm.
///
/// Legend: B batch, N tokens, m embedding, H heads (`heads`, dividing m), d = m/H head dimension (≤ 256),
/// f MLP hidden width (4m by default in `random`). Inputs `[N, m]` or `[B, N, m]`. Scale 1/√d;
/// `causal` hides later tokens (query i sees keys j ≤ i). Per layer one GEMM projects the queries, keys
/// and values of all heads and one attention call runs all heads.
public struct StandardTransformer: Sendable {
    public var layers: [StandardLayer]
    /// H, heads per layer.
    public var heads: Int
    public var normalization: Normalization
    public var causal: Bool
    /// The norm after the last layer, if any.
    public var finalNorm: NormWeights?
    /// ε of every norm.
    public var epsilon: Float

    public init(
        layers: [StandardLayer], heads: Int, normalization: Normalization = .layerNorm, causal: Bool = false,
        finalNorm: NormWeights? = nil, epsilon: Float = 1e-5
    ) {
        self.layers = layers
        self.heads = heads
        self.normalization = normalization
        self.causal = causal
        self.finalNorm = finalNorm
        self.epsilon = epsilon
    }

    /// m, the embedding (rows of the first query weight; 0 for an empty model).
    public var embedding: Int { layers.first?.attention.queryWeight.shape.first ?? 0 }
    /// d = m/H, the head dimension.
    public var headDimension: Int { heads > 0 ? embedding / heads : 0 }

    /// Checks the structure: at least one layer, H ≥ 1 dividing m, d ≤ 256, ε > 0, every weight shaped
    /// for m, and norm biases present exactly for LayerNorm. Throws `ModelError` naming the first
    /// offending weight by its safetensors name.
    public func validate() throws {
        guard let first = layers.first else { throw ModelError.emptyModel("no layers") }
        let m = embedding
        try requireShape(first.attention.queryWeight, [m, m], name: ModelWeightNames.attention(layer: 0, "w_q"))
        guard m >= 1 else { throw ModelError.unsupportedSize(name: "embedding m", value: m, allowed: "at least 1") }
        guard heads >= 1, m % heads == 0 else {
            throw ModelError.unsupportedSize(name: "heads H", value: heads, allowed: "a divisor of the embedding \(m)")
        }
        try requireAttentionWidth(headDimension, name: "head dimension m/H")
        guard epsilon > 0 else { throw ModelError.unsupportedSize(name: "norm epsilon", value: 0, allowed: "positive") }
        for (l, layer) in layers.enumerated() {
            try layer.norm1.validate(embedding: m, kind: normalization, prefix: ModelWeightNames.norm1Prefix(layer: l))
            for (part, weight) in layer.attention.namedParts {
                try requireShape(weight, [m, m], name: ModelWeightNames.attention(layer: l, part))
            }
            try layer.norm2.validate(embedding: m, kind: normalization, prefix: ModelWeightNames.norm2Prefix(layer: l))
            try layer.mlp.validate(embedding: m, layer: l)
        }
        try finalNorm?.validate(embedding: m, kind: normalization, prefix: ModelWeightNames.finalNormPrefix)
    }

    /// FLOPs of one forward pass on B sequences of N tokens: per layer, projections 8·B·N·m² (Q, K, V, O),
    /// attention 4·B·N²·m (half with `causal`), MLP 4·B·N·m·f. Norms, residuals and exps are not counted.
    public func forwardFLOPs(batch: Int, sequence: Int) -> Double {
        let rows = Double(batch * sequence), n = Double(sequence), m = Double(embedding)
        let attention = 4 * Double(batch) * n * n * m * (causal ? 0.5 : 1)
        return layers.reduce(0) { total, layer in
            total + 8 * rows * m * m + attention + 4 * rows * m * Double(layer.mlp.hiddenWidth)
        }
    }

    /// A model with seeded random weights: W_Q, W_K, W_V, W_O and W1 std 1/√m, W2 std 1/√f, norm gains
    /// 1 + 0.1·N(0, 1), biases 0.1·N(0, 1); MLP hidden width `mlpHidden` (default 4m).
    public static func random(
        layers: Int, heads: Int, embedding m: Int, mlpHidden: Int? = nil, normalization: Normalization = .layerNorm,
        causal: Bool = false, finalNorm: Bool = true, activation: Activation = .geluTanh, epsilon: Float = 1e-5,
        seed: UInt64
    ) -> StandardTransformer {
        let f = mlpHidden ?? 4 * m
        precondition(layers >= 1 && heads >= 1 && m >= 1 && f >= 1, "random model sizes must be positive")
        var seeds = SeededGenerator(seed: seed)
        func normal(_ shape: [Int], mean: Float = 0, std: Double) -> Tensor<Float> {
            Tensor<Float>.normal(shape, mean: mean, std: Float(std), seed: seeds.next())
        }
        func norm() -> NormWeights {
            NormWeights(weight: normal([m], mean: 1, std: 0.1), bias: normalization == .layerNorm ? normal([m], std: 0.1) : nil)
        }
        let projectionStd = 1 / Double(m).squareRoot()
        let blocks = (0..<layers).map { _ in
            StandardLayer(
                norm1: norm(),
                attention: StandardAttentionWeights(
                    queryWeight: normal([m, m], std: projectionStd), keyWeight: normal([m, m], std: projectionStd),
                    valueWeight: normal([m, m], std: projectionStd), outputWeight: normal([m, m], std: projectionStd)),
                norm2: norm(),
                mlp: PaperMLP(weight1: normal([m, f], std: projectionStd), bias1: normal([f], std: 0.1),
                              weight2: normal([f, m], std: 1 / Double(f).squareRoot()), bias2: normal([m], std: 0.1),
                              activation: activation))
        }
        return StandardTransformer(layers: blocks, heads: heads, normalization: normalization, causal: causal,
                                   finalNorm: finalNorm ? norm() : nil, epsilon: epsilon)
    }
}

extension StandardAttentionWeights {
    /// The four weights with their name suffixes `w_q`, `w_k`, `w_v`, `w_o`.
    var namedParts: [(part: String, weight: Tensor<Float>)] {
        [("w_q", queryWeight), ("w_k", keyWeight), ("w_v", valueWeight), ("w_o", outputWeight)]
    }
}
