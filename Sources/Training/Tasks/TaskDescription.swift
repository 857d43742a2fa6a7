/// Which task a run trains on, with its settings. JSON: `{"mqar": {"vocabulary": 256, …}}`.
public enum TaskDescription: Codable, Sendable, Equatable {
    case dRetrieval(DRetrievalTask)
    case mqar(MQARTask)
    case copy(CopyTask)
    case text(TextTask)

    /// The task names the CLI accepts.
    public static let names = ["d-retrieval", "mqar", "copy", "text"]

    public var name: String {
        switch self {
        case .dRetrieval: return "d-retrieval"
        case .mqar: return "mqar"
        case .copy: return "copy"
        case .text: return "text"
        }
    }

    /// Throws `TrainingError.invalidOption` for non-positive sizes or impossible settings.
    func validate() throws {
        func positive(_ values: [(Int, String)]) throws {
            for (value, name) in values where value <= 0 {
                throw TrainingError.invalidOption("\(name) must be positive, got \(value)")
            }
        }
        switch self {
        case .dRetrieval(let task):
            try positive([(task.length, "length"), (task.targets, "targets"), (task.inputDimension, "input dimension"),
                          (task.trainSamples, "train samples"), (task.validationSamples, "validation samples")])
        case .mqar(let task):
            try positive([(task.vocabulary, "vocabulary"), (task.trainSamples, "train samples"),
                          (task.validationSamples, "validation samples")])
            try task.validate()
        case .copy(let task):
            try positive([(task.trainSamples, "train samples"), (task.validationSamples, "validation samples")])
            try task.validate()
        case .text: break
        }
    }

    /// The example source for `seed`.
    func prepare(seed: UInt64) throws -> TaskData {
        try validate()
        switch self {
        case .dRetrieval(let task): return task.prepare(seed: seed)
        case .mqar(let task): return task.prepare(seed: seed)
        case .copy(let task): return task.prepare(seed: seed)
        case .text(let task): return try task.prepare()
        }
    }

    /// The model the task is usually trained with, sized by the CLI's options: Yu et al.'s architecture
    /// for d-retrieval (width 8·heads); a causal pre-norm transformer with learned positions for the
    /// token tasks (MLP hidden 4·width; MQAR without MLPs, as Zoology's attention baseline).
    public func defaultModel(layers: Int? = nil, heads: Int? = nil, width: Int? = nil, norm: NormPlacement? = nil,
                             mixer: MixerChoice = .exact) -> ModelDescription {
        switch self {
        case .dRetrieval(let task):
            var model = ModelDescription.dRetrieval(heads: heads ?? task.targets, length: task.length,
                                                    inputDimension: task.inputDimension)
            if let width { model.width = width }
            if let layers { model.layers = layers }
            if let norm { model.norm = norm }
            model.mixer = mixer
            return model
        case .mqar(let task):
            return tokenModel(vocabulary: task.vocabulary, tokens: task.length, layers: layers ?? 2, heads: heads ?? 1,
                              width: width ?? 64, mlp: false, norm: norm ?? .pre, mixer: mixer)
        case .copy(let task):
            return tokenModel(vocabulary: CopyTask.vocabulary, tokens: task.sequenceLength, layers: layers ?? 2,
                              heads: heads ?? 4, width: width ?? 64, mlp: true, norm: norm ?? .pre, mixer: mixer)
        case .text(let task):
            return tokenModel(vocabulary: TextTask.vocabulary, tokens: task.context, layers: layers ?? 2, heads: heads ?? 4,
                              width: width ?? 64, mlp: true, norm: norm ?? .pre, mixer: mixer)
        }
    }

    private func tokenModel(vocabulary: Int, tokens: Int, layers: Int, heads: Int, width: Int, mlp: Bool,
                            norm: NormPlacement, mixer: MixerChoice) -> ModelDescription {
        ModelDescription(input: .tokens(vocabulary: vocabulary), tokens: tokens, layers: layers, mixer: mixer, width: width,
                         heads: heads, mlpHidden: mlp ? 4 * width : nil, norm: norm, causal: true,
                         output: .classification(classes: vocabulary))
    }
}
