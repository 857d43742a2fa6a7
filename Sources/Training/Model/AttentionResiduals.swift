/// Attention Residuals (Kimi Team, arXiv 2603.15031; SCIENCE.md §5) as a model option: instead of adding
/// each sub-layer's output to one residual stream, every sub-layer reads a learned softmax mix of the
/// earlier sub-layers' outputs. Pre-norm models only.
public enum AttentionResidualsDescription: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Every earlier sub-layer output (and the embedding) is a source.
    case full
    /// Sources are the sums of completed blocks of `size` sub-layers, the embedding and the running
    /// partial sum of the current block; `size` must divide the number of sub-layers.
    case block(size: Int)

    /// "full" or "block:S".
    public init?(argument: String) {
        if argument == "full" { self = .full; return }
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "block", let size = Int(parts[1]) else { return nil }
        self = .block(size: size)
    }

    public var description: String {
        switch self {
        case .full: "full"
        case .block(let size): "block:\(size)"
        }
    }

    /// S: sub-layers summed into one source (1 in full mode, where each output is its own source).
    public var blockSize: Int {
        switch self {
        case .full: 1
        case .block(let size): size
        }
    }

    /// Throws `TrainingError.invalidOption` unless `model` is pre-norm and the block size divides its
    /// sub-layer count.
    func validate(for model: ModelDescription) throws {
        guard model.norm == .pre else {
            throw TrainingError.invalidOption("attention residuals need pre-norm blocks, got norm \(model.norm.rawValue)")
        }
        let sublayers = AttentionResidualBlocks.sublayerCount(model)
        guard blockSize >= 1, sublayers % blockSize == 0 else {
            throw TrainingError.invalidOption(
                "attention-residual block size \(blockSize) must be positive and divide the \(sublayers) sub-layers")
        }
    }
}
