import Foundation
import Kernels

/// Multi-query associative recall as Zoology's `multiquery_ar` (SCIENCE.md §4): keys distinct from
/// [1, V/2), values distinct from [V/2, V); the first 2·kv tokens are k1 v1 k2 v2 …; each key is queried
/// once at position 2kv + 2g, the gaps g drawn without replacement from 0..<(N − 2kv)/2 with
/// p(g) ∝ (g + 1)^(α − 1), α = 0.01; every other token is random in [0, V). The target at a query
/// position is its key's value; every other position is ignored. Metric: token accuracy at the queries.
/// Defaults: the PyTorch run of SCIENCE.md §4 (V = 256, N = 128, kv = 8).
public struct MQARTask: Codable, Sendable, Equatable {
    public var vocabulary = 256
    /// N, tokens per example.
    public var length = 128
    /// kv pairs per example.
    public var pairs = 8
    public var powerExponent = 0.01
    public var trainSamples = 100_000
    public var validationSamples = 1000

    public init(vocabulary: Int = 256, length: Int = 128, pairs: Int = 8, trainSamples: Int = 100_000,
                validationSamples: Int = 1000) {
        self.vocabulary = vocabulary
        self.length = length
        self.pairs = pairs
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
    }

    func validate() throws {
        guard pairs > 0, length >= 4 * pairs else {
            throw TrainingError.invalidOption("mqar needs pairs > 0 and length ≥ 4·pairs, got length \(length), pairs \(pairs)")
        }
        guard vocabulary / 2 - 1 >= pairs, vocabulary - vocabulary / 2 >= pairs else {
            throw TrainingError.invalidOption("mqar vocabulary \(vocabulary) has too few keys or values for \(pairs) pairs")
        }
    }

    func prepare(seed: UInt64) -> TaskData { Data(task: self, seed: seed) }

    struct Data: TaskData {
        let task: MQARTask
        let seed: UInt64
        /// p(g) ∝ (g + 1)^(α − 1) for the gaps g in 0..<space.
        let gapWeights: [Double]
        var trainingCount: Int { task.trainSamples }
        var validationCount: Int { task.validationSamples }
        var metric: TaskMetric { .tokenAccuracy }

        init(task: MQARTask, seed: UInt64) {
            self.task = task
            self.seed = seed
            let space = (task.length - 2 * task.pairs) / 2
            gapWeights = (1...space).map { Foundation.pow(Double($0), task.powerExponent - 1) }
        }

        func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int) {
            var generator = exampleGenerator(seed: seed, split: split, index: index)
            let (n, kv, v) = (task.length, task.pairs, task.vocabulary)
            let tokens = batch.tokens!.pointer + slot * n, targets = batch.classTargets!.pointer + slot * n
            for i in 0..<n {
                tokens[i] = Int32(generator.below(v))
                targets[i] = -1
            }
            let keys = distinct(kv, from: 1..<(v / 2), &generator)
            let values = distinct(kv, from: (v / 2)..<v, &generator)
            var weights = gapWeights
            for pair in 0..<kv {
                tokens[2 * pair] = Int32(keys[pair])
                tokens[2 * pair + 1] = Int32(values[pair])
                let gap = drawWithoutReplacement(&weights, &generator)
                tokens[2 * kv + 2 * gap] = Int32(keys[pair])
                targets[2 * kv + 2 * gap] = Int32(values[pair])
            }
        }

        /// `count` distinct values of `range`, in random order (partial Fisher–Yates on a rejection set).
        private func distinct(_ count: Int, from range: Range<Int>, _ generator: inout SeededGenerator) -> [Int] {
            var chosen: [Int] = []
            while chosen.count < count {
                let candidate = range.lowerBound + generator.below(range.count)
                if !chosen.contains(candidate) { chosen.append(candidate) }
            }
            return chosen
        }

        /// An index drawn with probability ∝ weights, whose weight is then zeroed (NumPy's sequential
        /// `choice(replace=False, p=…)`).
        private func drawWithoutReplacement(_ weights: inout [Double], _ generator: inout SeededGenerator) -> Int {
            let total = weights.reduce(0, +)
            var u = generator.nextUnit() * total
            var chosen = weights.lastIndex { $0 > 0 }!
            for (i, w) in weights.enumerated() where w > 0 {
                if u < w { chosen = i; break }
                u -= w
            }
            weights[chosen] = 0
            return chosen
        }
    }
}
