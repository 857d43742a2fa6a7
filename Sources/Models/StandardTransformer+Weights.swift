import Formats
import Kernels

// Named weights and safetensors files of the standard transformer; names in `ModelWeightNames`.

extension StandardTransformer {
    /// Every weight with its safetensors name, layer by layer (norm1, attention, norm2, MLP), then the
    /// final norm.
    public var namedWeights: [(name: String, tensor: Tensor<Float>)] {
        let blocks = layers.enumerated().flatMap { l, layer in
            layer.norm1.namedWeights(prefix: ModelWeightNames.norm1Prefix(layer: l))
                + layer.attention.namedParts.map { (ModelWeightNames.attention(layer: l, $0.part), $0.weight) }
                + layer.norm2.namedWeights(prefix: ModelWeightNames.norm2Prefix(layer: l))
                + layer.mlp.namedWeights(layer: l)
        }
        return blocks + (finalNorm?.namedWeights(prefix: ModelWeightNames.finalNormPrefix) ?? [])
    }

    /// The model as safetensors contents: float32 tensors and metadata `model`, `layers`, `heads`, `norm`,
    /// `activation`, `causal`, `epsilon`.
    /// - Throws: `ModelError` if the model is invalid or its MLPs use different activations.
    public func safeTensors() throws -> SafeTensors {
        try validate()
        let activations = Set(layers.map(\.mlp.activation.rawValue))
        guard activations.count == 1 else {
            throw ModelError.inconsistentLayers("the MLPs use activations \(activations.sorted()); a file stores one")
        }
        let metadata = [
            "model": "standard", "layers": "\(layers.count)", "heads": "\(heads)", "norm": normalization.rawValue,
            "activation": activations.first!, "causal": "\(causal)", "epsilon": "\(epsilon)",
        ]
        return SafeTensors(namedWeights: namedWeights, metadata: metadata)
    }

    /// Reads a model from safetensors contents as `safeTensors()` writes them (any floating-point dtype).
    /// - Throws: `ModelError` naming the first missing, extra or misshapen tensor or bad metadata value.
    public init(safeTensors file: SafeTensors) throws {
        var reader = WeightReader(file)
        try reader.requireModel("standard")
        let layerCount = try reader.positiveInteger("layers"), heads = try reader.positiveInteger("heads")
        let normText = try reader.metadata("norm", expected: "layernorm or rmsnorm")
        guard let normalization = Normalization(rawValue: normText) else {
            throw ModelError.metadata(key: "norm", value: normText, expected: "layernorm or rmsnorm")
        }
        let causalText = try reader.metadata("causal", expected: "true or false")
        guard let causal = Bool(causalText) else { throw ModelError.metadata(key: "causal", value: causalText, expected: "true or false") }
        let epsilonText = try reader.metadata("epsilon", expected: "a positive number")
        guard let epsilon = Float(epsilonText), epsilon > 0 else {
            throw ModelError.metadata(key: "epsilon", value: epsilonText, expected: "a positive number")
        }
        let activation = try reader.activation()
        let firstQuery = ModelWeightNames.attention(layer: 0, "w_q")
        let m = try reader.read(firstQuery).shape.first ?? 0
        func norm(_ prefix: String) throws -> NormWeights {
            NormWeights(weight: try reader.read(ModelWeightNames.norm(prefix, bias: false), shape: [m]),
                        bias: normalization == .layerNorm ? try reader.read(ModelWeightNames.norm(prefix, bias: true), shape: [m]) : nil)
        }
        func attention(_ l: Int, _ part: String) throws -> Tensor<Float> {
            try reader.read(ModelWeightNames.attention(layer: l, part), shape: [m, m])
        }
        let blocks = try (0..<layerCount).map { l in
            StandardLayer(
                norm1: try norm(ModelWeightNames.norm1Prefix(layer: l)),
                attention: StandardAttentionWeights(queryWeight: try attention(l, "w_q"), keyWeight: try attention(l, "w_k"),
                                                    valueWeight: try attention(l, "w_v"), outputWeight: try attention(l, "w_o")),
                norm2: try norm(ModelWeightNames.norm2Prefix(layer: l)),
                mlp: try reader.readMLP(layer: l, embedding: m, activation: activation))
        }
        let finalPrefix = ModelWeightNames.finalNormPrefix
        let hasFinalNorm = reader.contains(ModelWeightNames.norm(finalPrefix, bias: false))
            || reader.contains(ModelWeightNames.norm(finalPrefix, bias: true))
        let finalNorm = hasFinalNorm ? try norm(finalPrefix) : nil
        try reader.rejectUnused()
        self.init(layers: blocks, heads: heads, normalization: normalization, causal: causal, finalNorm: finalNorm,
                  epsilon: epsilon)
        try validate()
    }
}

extension NormWeights {
    /// `{prefix}.weight` and (LayerNorm) `{prefix}.bias` with their tensors.
    func namedWeights(prefix: String) -> [(name: String, tensor: Tensor<Float>)] {
        [(ModelWeightNames.norm(prefix, bias: false), weight)] + (bias.map { [(ModelWeightNames.norm(prefix, bias: true), $0)] } ?? [])
    }
}
