/// What the routed blocks of a Mixture-of-Depths model did in the last forward pass, and the switch to
/// the causal (sampling-time) selection. Read after `evaluate`/`computeGradients`, outside the step loop.
extension TrainingModel {
    /// One routed block's record of the last forward pass over every replica.
    public struct RoutingDiagnostics: Sendable, Equatable {
        public let layer: Int
        /// Tokens the block processed per sequence (k).
        public let selected: Int
        /// The predictor's sign agreement with top-k membership over the batch's tokens (nil without a predictor).
        public let predictorAccuracy: Double?
        /// How often each position was picked over the batch's sequences, `[N]`.
        public let positionCounts: [Int]
    }

    /// Per routed block, what the last forward pass picked and how well the predictor matched it.
    public func routingDiagnostics() -> [RoutingDiagnostics] {
        var runs: [(stack: RoutedBlocks, examples: Int)] = []
        inspectLastForward { network, examples in
            if let stack = network.blocks as? RoutedBlocks { runs.append((stack, examples.count)) }
        }
        guard let first = runs.first?.stack else { return [] }
        return first.routed.indices.map { index in
            let block = first.routed[index]
            var counts = [Int](repeating: 0, count: block.length)
            var (correct, rows) = (0, 0)
            for (stack, examples) in runs {
                let replica = stack.routed[index]
                for position in replica.positions.prefix(examples * replica.selected) where position >= 0 { counts[position] += 1 }
                if let predictor = replica.predictor { correct += predictor.correct; rows += predictor.rows }
            }
            return RoutingDiagnostics(layer: block.layer, selected: block.selected,
                                      predictorAccuracy: block.predictor == nil ? nil : Double(correct) / Double(max(1, rows)),
                                      positionCounts: counts)
        }
    }

    /// Switches every replica's routed blocks to the predictor's causal selection (true) or back to the
    /// training rule (false). Throws unless the model routes with a predictor.
    public func selectCausally(_ causal: Bool) throws {
        guard description.routing?.predictor == true else {
            throw TrainingError.invalidOption("causal selection needs a routed model with a predictor")
        }
        for network in replicas { (network.blocks as? RoutedBlocks)?.selectsCausally = causal }
    }
}
