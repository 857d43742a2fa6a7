import Kernels

/// The arithmetic a construction runs in.
public enum ConstructionPrecision: String, CaseIterable, Codable, Sendable {
    /// Our exact attention engine (`scaledDotProductAttention`, `PaperTransformer.forward`): fp32.
    case float32
    /// The Float64 references (`ReferenceAttention.forward`, `PaperTransformerReference.forward`): the same
    /// weights in double precision, scores materialised (O(N²) memory per head, slow; for small sizes or
    /// for thresholds too close to an achievable cosine for fp32, see `HardnessConstruction`).
    case float64
}

/// The size of the transformer a construction builds.
public struct ModelShape: Codable, Sendable, Equatable {
    /// Tokens N in the sequence (the vectors plus the construction's extra tokens).
    public let tokens: Int
    public let layers: Int
    /// Heads per layer.
    public let heads: Int
    /// Width m of a token.
    public let embedding: Int

    public init(tokens: Int, layers: Int, heads: Int, embedding: Int) {
        self.tokens = tokens
        self.layers = layers
        self.heads = heads
        self.embedding = embedding
    }
}

/// What a construction's transformer answers for one instance.
///
/// The transformer outputs one number per row it is read on (rows of A); the answer is "yes" iff the
/// largest of them is at least the readout threshold (1/2 for every construction here).
public struct ConstructionResult: Codable, Sendable, Equatable {
    /// The decision read from the transformer's output.
    public let answer: Bool
    /// The rows of A whose output crossed the threshold (ascending), as a witness candidate: in exact
    /// arithmetic each of them is the first vector of some witness pair or triple. nil when none fired.
    public let witness: [Int]?
    /// |deciding output − threshold| / (yes level − no level), the deciding output being the largest one
    /// read. In exact arithmetic it is at least about 0.5 (pairs) or 1/3 (3-OV); near 0 the answer rests
    /// on rounding.
    public let margin: Double
    /// The transformer's size.
    public let model: ModelShape
    /// Wall time of running the transformer and reading its output, in seconds (building the tokens and
    /// weights, O(N·m + m·k), is not counted).
    public let seconds: Double
    /// The arithmetic it ran in.
    public let precision: ConstructionPrecision

    public init(answer: Bool, witness: [Int]?, margin: Double, model: ModelShape, seconds: Double,
                precision: ConstructionPrecision) {
        self.answer = answer
        self.witness = witness
        self.margin = margin
        self.model = model
        self.seconds = seconds
        self.precision = precision
    }
}

/// The levels a construction's outputs are read against: in exact arithmetic a row that belongs to a
/// witness outputs at least `yes`, every other row at most `no`, and `no < threshold < yes`.
struct ReadoutLevels {
    let yes: Double
    let no: Double
    let threshold: Double

    /// The result of outputs `rowOutputs` (one per row read) of a transformer of shape `model` that ran in
    /// `precision` from `start` (a `monotonicSeconds()` time) until now: the answer is max ≥ threshold, the
    /// witness the rows at or above it, the margin |max − threshold| / (yes − no).
    func result(reading rowOutputs: [Double], model: ModelShape, precision: ConstructionPrecision,
                startedAt start: Double) -> ConstructionResult {
        let deciding = rowOutputs.max() ?? -.infinity
        let fired = rowOutputs.indices.filter { rowOutputs[$0] >= threshold }
        return ConstructionResult(
            answer: deciding >= threshold, witness: fired.isEmpty ? nil : fired,
            margin: deciding.isFinite ? abs(deciding - threshold) / (yes - no) : 0, model: model,
            seconds: monotonicSeconds() - start, precision: precision)
    }
}
