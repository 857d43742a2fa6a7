import Formats
import Kernels

// Named weights and safetensors files of the paper's transformer; names in `ModelWeightNames`.

extension PaperTransformer {
    /// Every weight with its safetensors name, layer by layer (heads, then the MLP).
    public var namedWeights: [(name: String, tensor: Tensor<Float>)] {
        layers.enumerated().flatMap { l, layer in
            layer.heads.enumerated().flatMap { h, head in
                [(ModelWeightNames.paperQuery(layer: l, head: h), head.queryWeight),
                 (ModelWeightNames.paperKey(layer: l, head: h), head.keyWeight),
                 (ModelWeightNames.paperValue(layer: l, head: h), head.valueWeight)]
            } + (layer.mlp.map { $0.namedWeights(layer: l) } ?? [])
        }
    }

    /// The model as safetensors contents: float32 tensors and metadata `model`, `layers`, `heads` and
    /// (when some layer has an MLP) `activation`.
    /// - Throws: `ModelError` if the model is invalid or its MLPs use different activations.
    public func safeTensors() throws -> SafeTensors {
        try validate()
        var metadata = ["model": "paper", "layers": "\(layers.count)", "heads": "\(headCount)"]
        let activations = Set(layers.compactMap { $0.mlp?.activation.rawValue })
        guard activations.count <= 1 else {
            throw ModelError.inconsistentLayers("the MLPs use activations \(activations.sorted()); a file stores one")
        }
        metadata["activation"] = activations.first
        return SafeTensors(namedWeights: namedWeights, metadata: metadata)
    }

    /// Reads a model from safetensors contents as `safeTensors()` writes them (any floating-point dtype).
    /// - Throws: `ModelError` naming the first missing, extra or misshapen tensor or bad metadata value.
    public init(safeTensors file: SafeTensors) throws {
        var reader = WeightReader(file)
        try reader.requireModel("paper")
        let layerCount = try reader.positiveInteger("layers"), headCount = try reader.positiveInteger("heads")
        let firstValue = ModelWeightNames.paperValue(layer: 0, head: 0), firstQuery = ModelWeightNames.paperQuery(layer: 0, head: 0)
        let value = try reader.read(firstValue)
        let m = value.shape.first ?? 0
        try requireShape(value, [m, m], name: firstValue)
        let query = try reader.read(firstQuery)
        let k = query.shape.last ?? 0
        try requireShape(query, [m, k], name: firstQuery)
        let layers = try (0..<layerCount).map { l in
            let heads = try (0..<headCount).map { h in
                PaperHead(queryWeight: try reader.read(ModelWeightNames.paperQuery(layer: l, head: h), shape: [m, k]),
                          keyWeight: try reader.read(ModelWeightNames.paperKey(layer: l, head: h), shape: [m, k]),
                          valueWeight: try reader.read(ModelWeightNames.paperValue(layer: l, head: h), shape: [m, m]))
            }
            let mlp = reader.hasMLP(layer: l)
                ? try reader.readMLP(layer: l, embedding: m, activation: try reader.activation()) : nil
            return PaperLayer(heads: heads, mlp: mlp)
        }
        try reader.rejectUnused()
        self.init(layers: layers)
        try validate()
    }
}

extension PaperMLP {
    /// `layers.{l}.mlp.w1`, `b1`, `w2`, `b2` with their tensors.
    func namedWeights(layer: Int) -> [(name: String, tensor: Tensor<Float>)] {
        [(ModelWeightNames.mlp(layer: layer, "w1"), weight1), (ModelWeightNames.mlp(layer: layer, "b1"), bias1),
         (ModelWeightNames.mlp(layer: layer, "w2"), weight2), (ModelWeightNames.mlp(layer: layer, "b2"), bias2)]
    }
}
