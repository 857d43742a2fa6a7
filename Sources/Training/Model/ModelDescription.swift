/// A trainable model, described as plain data: the builder (`Network`) makes the layers from it, and
/// checkpoints and experiment configs store it as JSON.
///
/// The data flow: input embedding (tokens, or a 2-layer ReLU MLP on continuous vectors) → optional
/// class token in front and learned positions → `layers` blocks of {mixer, optional MLP}, each wrapped
/// with the norm placement and residual → final norm (pre-norm only) → output head on every position,
/// or only on the class token when there is one.
///
/// Yu et al.'s D-retrieval model (SCIENCE.md §6) is `ModelDescription.dRetrieval(heads:length:)`.
public struct ModelDescription: Codable, Sendable, Equatable {
    public enum Input: Codable, Sendable, Equatable {
        /// Token ids in 0..<vocabulary through a learned embedding.
        case tokens(vocabulary: Int)
        /// Vectors of `dimension` floats through a 2-layer ReLU MLP with `hidden` units.
        case continuous(dimension: Int, hidden: Int)
    }

    public enum Output: Codable, Sendable, Equatable {
        /// Logits over `classes` from one linear layer; softmax cross-entropy loss.
        case classification(classes: Int)
        /// `dimension` values from a 2-layer GELU MLP with `hidden` units; mean-squared-error loss.
        case regression(dimension: Int, hidden: Int)
    }

    public var input: Input
    /// Input tokens per example (before the class token).
    public var tokens: Int
    public var classToken: Bool
    public var learnedPositions: Bool
    public var layers: Int
    public var mixer: MixerChoice
    /// m, the width of the residual stream.
    public var width: Int
    public var heads: Int
    public var headDimension: Int
    /// Hidden width of each block's MLP; nil for blocks without an MLP.
    public var mlpHidden: Int?
    public var mlpActivation: TrainingActivation
    public var norm: NormPlacement
    public var normKind: NormKind
    public var residual: Bool
    /// Whether token i sees only tokens j ≤ i (language modelling, recall, copying).
    public var causal: Bool
    public var output: Output
    /// Attention Residuals instead of the residual stream (pre-norm only); nil: the standard stream.
    public var attentionResiduals: AttentionResidualsDescription?
    /// Mixture-of-Depths routing of every `every`-th block; nil for the standard stack.
    public var routing: RoutingDescription?
    /// MoDA depth keys (`DepthAttentionBlocks`); nil: off.
    public var depthAttention: DepthAttentionDescription?

    public init(input: Input, tokens: Int, classToken: Bool = false, learnedPositions: Bool = true, layers: Int,
                mixer: MixerChoice = .exact, width: Int, heads: Int, headDimension: Int? = nil, mlpHidden: Int?,
                mlpActivation: TrainingActivation = .gelu, norm: NormPlacement = .pre, normKind: NormKind = .layerNorm,
                residual: Bool = true, causal: Bool, output: Output,
                attentionResiduals: AttentionResidualsDescription? = nil, routing: RoutingDescription? = nil,
                depthAttention: DepthAttentionDescription? = nil) {
        self.input = input
        self.tokens = tokens
        self.classToken = classToken
        self.learnedPositions = learnedPositions
        self.layers = layers
        self.mixer = mixer
        self.width = width
        self.heads = heads
        self.headDimension = headDimension ?? max(1, width / max(1, heads))
        self.mlpHidden = mlpHidden
        self.mlpActivation = mlpActivation
        self.norm = norm
        self.normKind = normKind
        self.residual = residual
        self.causal = causal
        self.output = output
        self.attentionResiduals = attentionResiduals
        self.routing = routing
        self.depthAttention = depthAttention
    }

    /// N, the tokens the blocks see: the input tokens plus the class token.
    public var sequenceLength: Int { tokens + (classToken ? 1 : 0) }

    /// Output rows per example: 1 (the class token) or every position.
    public var outputPositions: Int { classToken ? 1 : sequenceLength }

    /// Yu et al.'s Table-2 model: a class token, no positions, one attention layer of `heads` heads of
    /// 8 dims (width 8h) with no MLP, residual or norm; input MLP 4 → 32 → 8h (ReLU), output MLP 8h → 32 → 1 (GELU).
    public static func dRetrieval(heads: Int, length: Int, inputDimension: Int = 4, headDimension: Int = 8,
                                  hidden: Int = 32) -> ModelDescription {
        ModelDescription(
            input: .continuous(dimension: inputDimension, hidden: hidden), tokens: length, classToken: true,
            learnedPositions: false, layers: 1, width: headDimension * heads, heads: heads, headDimension: headDimension,
            mlpHidden: nil, norm: .none, residual: false, causal: false, output: .regression(dimension: 1, hidden: hidden))
    }

    /// Throws `TrainingError.invalidOption` for a non-positive size or a head layout that does not fit.
    public func validate() throws {
        func positive(_ value: Int, _ name: String) throws {
            guard value > 0 else { throw TrainingError.invalidOption("\(name) must be positive, got \(value)") }
        }
        try positive(tokens, "length")
        try positive(layers, "layers")
        try positive(width, "width")
        try positive(heads, "heads")
        try positive(headDimension, "head dimension")
        if let mlpHidden { try positive(mlpHidden, "MLP hidden width") }
        switch input {
        case .tokens(let vocabulary): try positive(vocabulary, "vocabulary")
        case .continuous(let dimension, let hidden): try positive(dimension, "input dimension"); try positive(hidden, "input hidden width")
        }
        switch output {
        case .classification(let classes): try positive(classes, "classes")
        case .regression(let dimension, let hidden): try positive(dimension, "output dimension"); try positive(hidden, "output hidden width")
        }
        guard headDimension <= 256 else { throw TrainingError.invalidOption("head dimension \(headDimension) exceeds 256") }
        try mixer.validate(for: self)
        try attentionResiduals?.validate(for: self)
        if let routing { try routing.validate(for: self) }
        try depthAttention?.validate(for: self)
        let stacks = [attentionResiduals != nil, routing != nil, depthAttention != nil].filter { $0 }.count
        guard stacks <= 1 else {
            throw TrainingError.invalidOption("attention residuals, Mixture-of-Depths routing and depth keys are separate block stacks; choose at most one")
        }
    }
}
