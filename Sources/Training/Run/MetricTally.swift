/// Running sums from which a loss and a task metric are read over several batches.
struct MetricTally {
    private var lossSum = 0.0
    private var counted = 0
    private var correct = 0.0
    private var examples = 0
    private var examplesRight = 0

    /// Adds one batch's mean loss over its `counted` targets.
    mutating func addLoss(_ meanLoss: Double, counted: Int) {
        lossSum += meanLoss * Double(counted)
        self.counted += counted
    }

    /// Adds the correctness flags a replica holds for examples `range` of `batch` (classification only).
    mutating func addFlags(batch: Batch, network: Network, examples range: Range<Int>) {
        guard let flags = network.correctRows, let targets = batch.classTargets else { return }
        let positions = network.model.outputPositions
        for (local, example) in range.enumerated() {
            var allRight = true
            for p in 0..<positions where targets.pointer[example * positions + p] >= 0 {
                let right = flags[local * positions + p]
                correct += Double(right)
                allRight = allRight && right == 1
            }
            examples += 1
            examplesRight += allRight ? 1 : 0
        }
    }

    var loss: Double { lossSum / Double(max(1, counted)) }

    /// The metric: NMSE = loss/Var(y), or a token or sequence accuracy.
    func value(_ metric: TaskMetric, variance: Double) -> Double {
        switch metric {
        case .nmse: return loss / variance
        case .tokenAccuracy: return correct / Double(max(1, counted))
        case .sequenceAccuracy: return Double(examplesRight) / Double(max(1, examples))
        }
    }
}
