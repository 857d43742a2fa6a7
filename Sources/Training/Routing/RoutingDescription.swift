/// Mixture-of-Depths routing (SCIENCE.md §5): which blocks are routed, how many tokens each processes,
/// and how they are chosen. A model with `routing` set builds `RoutedBlocks` instead of `SequentialBlocks`.
public struct RoutingDescription: Codable, Sendable, Equatable {
    /// How a routed block picks its k tokens during training and ordinary evaluation.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// The top-k tokens by the router score r = wᵀx (ties to the lower position).
        case learned
        /// k tokens drawn uniformly without replacement, from `seed`, the block and the forward-pass count.
        /// The count lives in the process, not in checkpoints: a resumed run draws anew.
        case random
    }

    /// The fraction of each sequence a routed block processes, in (0, 1]: k = ceil(capacity · N).
    public var capacity: Double
    /// Blocks l with l % every == every − 1 are routed (every 2: blocks 1, 3, 5, …).
    public var every: Int
    public var mode: Mode
    /// Whether each routed block trains the auxiliary causal predictor (a width → 16 → 1 MLP on the
    /// stop-gradient block input, binary cross-entropy against top-k membership).
    public var predictor: Bool
    /// Seeds the random mode's draws.
    public var seed: UInt64

    public init(capacity: Double = 0.125, every: Int = 2, mode: Mode = .learned, predictor: Bool = false, seed: UInt64 = 0) {
        self.capacity = capacity
        self.every = every
        self.mode = mode
        self.predictor = predictor
        self.seed = seed
    }

    /// k for a sequence of `length` tokens: ceil(capacity · N), at least 1 and at most N.
    public func selected(of length: Int) -> Int {
        min(length, max(1, Int((capacity * Double(length)).rounded(.up))))
    }

    /// Whether block `layer` is routed.
    public func routes(_ layer: Int) -> Bool { layer % every == every - 1 }

    /// Throws `TrainingError.invalidOption` for a capacity outside (0, 1] or an `every` below 1, or for a
    /// model the routed stack cannot wrap (it needs exact attention, pre-norm and the residual; the
    /// predictor needs a causal model and learned routing).
    func validate(for model: ModelDescription) throws {
        guard capacity > 0, capacity <= 1 else {
            throw TrainingError.invalidOption("routing capacity must be in (0, 1], got \(capacity)")
        }
        guard every >= 1, every <= 64 else { throw TrainingError.invalidOption("routing every must be in 1...64, got \(every)") }
        guard model.mixer == .exact, model.norm == .pre, model.residual else {
            throw TrainingError.invalidOption("routing needs the exact mixer, pre-norm and the residual")
        }
        guard !predictor || (model.causal && mode == .learned) else {
            throw TrainingError.invalidOption("the routing predictor needs a causal model and learned routing")
        }
    }
}
