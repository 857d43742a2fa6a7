import Kernels

/// One attention head of the paper's transformer: `Att(X) = softmax(X·W_Q·(X·W_K)ᵀ)·X·W_V`, no scaling
/// (fold any into the weights), no mask. Legend: m embedding, k query/key width.
public struct PaperHead: Sendable {
    /// `[m, k]`.
    public var queryWeight: Tensor<Float>
    /// `[m, k]`.
    public var keyWeight: Tensor<Float>
    /// `[m, m]`.
    public var valueWeight: Tensor<Float>

    public init(queryWeight: Tensor<Float>, keyWeight: Tensor<Float>, valueWeight: Tensor<Float>) {
        self.queryWeight = queryWeight
        self.keyWeight = keyWeight
        self.valueWeight = valueWeight
    }
}

/// A two-layer MLP acting on rows, `x ↦ act(x·W1 + b1)·W2 + b2` (the models add the residual).
/// Both models use it: after the paper's attention layers and inside the standard block.
/// Legend: m embedding, f hidden width.
public struct PaperMLP: Sendable {
    /// `[m, f]`.
    public var weight1: Tensor<Float>
    /// `[f]`.
    public var bias1: Tensor<Float>
    /// `[f, m]`.
    public var weight2: Tensor<Float>
    /// `[m]`.
    public var bias2: Tensor<Float>
    public var activation: Activation

    public init(weight1: Tensor<Float>, bias1: Tensor<Float>, weight2: Tensor<Float>, bias2: Tensor<Float>,
                activation: Activation) {
        self.weight1 = weight1
        self.bias1 = bias1
        self.weight2 = weight2
        self.bias2 = bias2
        self.activation = activation
    }

    /// Throws `ModelError.weightShape` naming the tensor unless the shapes fit embedding m.
    func validate(embedding m: Int, layer: Int) throws {
        let hidden = weight1.rank == 2 ? weight1.shape[1] : 0
        guard weight1.rank == 2, weight1.shape[0] == m, hidden >= 1 else {
            throw ModelError.weightShape(name: ModelWeightNames.mlp(layer: layer, "w1"), expected: [m, max(1, hidden)],
                                         actual: weight1.shape)
        }
        try requireShape(bias1, [hidden], name: ModelWeightNames.mlp(layer: layer, "b1"))
        try requireShape(weight2, [hidden, m], name: ModelWeightNames.mlp(layer: layer, "w2"))
        try requireShape(bias2, [m], name: ModelWeightNames.mlp(layer: layer, "b2"))
    }
}

/// One layer of the paper's transformer: `X ↦ X + Σ_h Att_h(X)`, then optionally `X ↦ X + MLP(X)`.
public struct PaperLayer: Sendable {
    public var heads: [PaperHead]
    public var mlp: PaperMLP?

    public init(heads: [PaperHead], mlp: PaperMLP? = nil) {
        self.heads = heads
        self.mlp = mlp
    }
}

/// The transformer of the complexity results (SCIENCE.md §1; Saha, Xu, Ye, Yu 2026): L layers of H
/// heads combined by sum with a residual, `X ↦ X + Σ_h softmax(X·W_Q,h·(X·W_K,h)ᵀ)·X·W_V,h`, each
/// optionally followed by an MLP. No 1/√d scaling, no mask.
///
/// Legend: B batch, N tokens, m embedding (`embedding`), k query/key width (`keyDimension`), H heads per
/// layer (the same in every layer), f MLP hidden width (may differ per layer). Inputs `[N, m]` or
/// `[B, N, m]`. Requires 1 ≤ m, k ≤ 256 (the attention kernel's head dimensions).
///
/// How it runs: per layer, one GEMM projects X onto the queries, keys and values of all heads at once,
/// and one attention call computes all H heads (`[B, H, N, D]` tensors). The kernel needs one head
/// dimension for Q, K and V, so everything is padded with zero columns to D = max(k, m): zero columns add
/// nothing to the scores Q·Kᵀ, and the zero value columns of the output (when k > m) are dropped. The
/// price is extra work when k ≠ m: the projection GEMM is 2·R·m·3·H·D FLOPs instead of
/// 2·R·m·H·(2k + m), and attention 4·B·H·N²·D instead of 2·B·H·N²·(k + m) (e.g. 1.5× for k = m/2 with
/// attention dominating).
public struct PaperTransformer: Sendable {
    public var layers: [PaperLayer]

    public init(layers: [PaperLayer]) {
        self.layers = layers
    }

    /// m, the embedding (rows of the first value weight; 0 for an empty model).
    public var embedding: Int { layers.first?.heads.first?.valueWeight.shape.first ?? 0 }
    /// k, the query/key width (columns of the first query weight; 0 for an empty model).
    public var keyDimension: Int { layers.first?.heads.first?.queryWeight.shape.last ?? 0 }
    /// H, the heads per layer.
    public var headCount: Int { layers.first?.heads.count ?? 0 }
    /// D = max(k, m), the padded head dimension of the attention calls.
    var paddedHeadDimension: Int { max(embedding, keyDimension) }

    /// Checks the structure: at least one layer, the same number (≥ 1) of heads in every layer, every
    /// weight shaped consistently with m and k, and m, k in 1…256. Throws `ModelError` naming the first
    /// offending weight by its safetensors name.
    public func validate() throws {
        guard let first = layers.first?.heads.first else {
            throw ModelError.emptyModel(layers.isEmpty ? "no layers" : "layer 0 has no heads")
        }
        guard first.valueWeight.rank == 2, first.valueWeight.shape[0] == first.valueWeight.shape[1] else {
            let m = first.valueWeight.shape.first ?? 0
            throw ModelError.weightShape(name: ModelWeightNames.paperValue(layer: 0, head: 0), expected: [m, m],
                                         actual: first.valueWeight.shape)
        }
        let m = embedding, k = keyDimension
        try requireAttentionWidth(m, name: "embedding m (from \(ModelWeightNames.paperValue(layer: 0, head: 0)))")
        try requireAttentionWidth(k, name: "key dimension k (from \(ModelWeightNames.paperQuery(layer: 0, head: 0)))")
        for (l, layer) in layers.enumerated() {
            guard layer.heads.count == headCount else {
                throw ModelError.inconsistentLayers("layer \(l) has \(layer.heads.count) heads, layer 0 has \(headCount)")
            }
            for (h, head) in layer.heads.enumerated() {
                try requireShape(head.queryWeight, [m, k], name: ModelWeightNames.paperQuery(layer: l, head: h))
                try requireShape(head.keyWeight, [m, k], name: ModelWeightNames.paperKey(layer: l, head: h))
                try requireShape(head.valueWeight, [m, m], name: ModelWeightNames.paperValue(layer: l, head: h))
            }
            try layer.mlp?.validate(embedding: m, layer: l)
        }
    }

    /// Multiply-add FLOPs of one forward pass on B sequences of N tokens, as the model defines them
    /// (without the padding described above): per layer, projections 2·B·N·m·H·(2k + m), attention
    /// 2·B·H·N²·(k + m) (scores and weighted values), MLP 4·B·N·m·f. Residual sums and softmax exps are
    /// not counted.
    public func forwardFLOPs(batch: Int, sequence: Int) -> Double {
        let rows = Double(batch * sequence), n = Double(sequence), m = Double(embedding), k = Double(keyDimension)
        return layers.reduce(0) { total, layer in
            let h = Double(layer.heads.count)
            let mlp = layer.mlp.map { 4 * rows * m * Double($0.hiddenWidth) } ?? 0
            return total + 2 * rows * m * h * (2 * k + m) + 2 * Double(batch) * h * n * n * (k + m) + mlp
        }
    }

    /// A model with seeded normal weights scaled so scores, head outputs and MLP updates are O(1) for
    /// unit-scale inputs: W_Q, W_K std (m·√k)^(−1/2), W_V std 1/√(m·H), W1 std 1/√m, W2 std 1/√f, biases
    /// std 0.1. `mlpHidden` nil gives layers without MLP; the MLPs use GELU (tanh form).
    public static func random(
        layers: Int, heads: Int, embedding m: Int, keyDimension k: Int, mlpHidden: Int?, seed: UInt64
    ) -> PaperTransformer {
        precondition(layers >= 1 && heads >= 1 && m >= 1 && k >= 1 && (mlpHidden ?? 1) >= 1, "random model sizes must be positive")
        var seeds = SeededGenerator(seed: seed)
        func normal(_ shape: [Int], std: Double) -> Tensor<Float> {
            Tensor<Float>.normal(shape, std: Float(std), seed: seeds.next())
        }
        let scoreStd = 1 / (Double(m) * Double(k).squareRoot()).squareRoot()
        return PaperTransformer(layers: (0..<layers).map { _ in
            let heads = (0..<heads).map { _ in
                PaperHead(queryWeight: normal([m, k], std: scoreStd), keyWeight: normal([m, k], std: scoreStd),
                          valueWeight: normal([m, m], std: 1 / Double(m * heads).squareRoot()))
            }
            let mlp = mlpHidden.map { f in
                PaperMLP(weight1: normal([m, f], std: 1 / Double(m).squareRoot()), bias1: normal([f], std: 0.1),
                         weight2: normal([f, m], std: 1 / Double(f).squareRoot()), bias2: normal([m], std: 0.1),
                         activation: .geluTanh)
            }
            return PaperLayer(heads: heads, mlp: mlp)
        })
    }
}
