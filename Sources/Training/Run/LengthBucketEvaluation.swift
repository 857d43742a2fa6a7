/// Validation accuracy of the examples that count the same number of targets (for `copy`, the string
/// length L: one counted target per copied letter).
public struct TargetCountAccuracy: Codable, Sendable, Equatable {
    /// Counted targets per example in this bucket.
    public var countedTargets: Int
    public var examples: Int
    /// Examples whose every counted target is predicted (teacher-forced arg-max).
    public var examplesRight: Int
    public var targetsRight: Int

    /// Fraction of the bucket's examples predicted entirely right.
    public var sequenceAccuracy: Double { Double(examplesRight) / Double(max(1, examples)) }
    /// Fraction of the bucket's counted targets predicted right.
    public var tokenAccuracy: Double { Double(targetsRight) / Double(max(1, examples * countedTargets)) }
}

extension Trainer {
    /// Runs the whole validation set (forward passes only, batches of the training batch size) and tallies
    /// it by the number of counted targets per example, in increasing order. Classification tasks only;
    /// empty for regression. Cost: one `evaluate`; allocates one batch.
    public func evaluateByTargetCount(threads: Int) -> [TargetCountAccuracy] {
        guard case .classification = configuration.model.output else { return [] }
        let batch = model.makeBatch()
        var buckets: [Int: TargetCountAccuracy] = [:]
        var first = 0
        while first < data.validationCount {
            let count = min(configuration.batchSize, data.validationCount - first)
            for slot in 0..<count { data.fill(batch, slot: slot, split: .validation, index: first + slot) }
            batch.count = count
            _ = model.evaluate(batch, threads: threads)
            model.inspectLastForward { network, examples in
                tally(batch: batch, network: network, examples: examples, into: &buckets)
            }
            first += count
        }
        return buckets.values.sorted { $0.countedTargets < $1.countedTargets }
    }

    /// Adds the examples `range` of `batch` that `network` ran to their buckets.
    private func tally(batch: Batch, network: Network, examples range: Range<Int>,
                       into buckets: inout [Int: TargetCountAccuracy]) {
        guard let flags = network.correctRows, let targets = batch.classTargets else { return }
        let positions = network.model.outputPositions
        for (local, example) in range.enumerated() {
            var counted = 0, right = 0
            for p in 0..<positions where targets.pointer[example * positions + p] >= 0 {
                counted += 1
                right += Int(flags[local * positions + p])
            }
            var bucket = buckets[counted] ?? TargetCountAccuracy(countedTargets: counted, examples: 0, examplesRight: 0,
                                                                 targetsRight: 0)
            bucket.examples += 1
            bucket.examplesRight += right == counted ? 1 : 0
            bucket.targetsRight += right
            buckets[counted] = bucket
        }
    }
}
