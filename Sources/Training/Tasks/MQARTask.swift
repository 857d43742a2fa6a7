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
        /// Cumulative p(g) ∝ (g + 1)^(α − 1) over the gaps g in 0..<space, ending at 1.
        let gapCumulative: [Double]
        var trainingCount: Int { task.trainSamples }
        var validationCount: Int { task.validationSamples }
        var metric: TaskMetric { .tokenAccuracy }

        init(task: MQARTask, seed: UInt64) {
            self.task = task
            self.seed = seed
            let space = (task.length - 2 * task.pairs) / 2
            var running = 0.0
            let sums = (1...space).map { g -> Double in
                running += Foundation.pow(Double(g), task.powerExponent - 1)
                return running
            }
            gapCumulative = sums.map { $0 / running }
        }

        /// Writes the example without allocating: distinct keys and values are checked against those
        /// already placed, and a gap drawn twice is drawn again (which samples without replacement with
        /// the renormalised probabilities, like NumPy's `choice(replace=False, p=…)`).
        func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int) {
            var generator = exampleGenerator(seed: seed, split: split, index: index)
            let (n, kv, v) = (task.length, task.pairs, task.vocabulary)
            let tokens = batch.tokens!.pointer + slot * n, targets = batch.classTargets!.pointer + slot * n
            for i in 0..<n {
                tokens[i] = Int32(generator.below(v))
                targets[i] = -1
            }
            for pair in 0..<kv {
                tokens[2 * pair] = draw(from: 1..<(v / 2), unlike: tokens, start: 0, count: pair, &generator)
                tokens[2 * pair + 1] = draw(from: (v / 2)..<v, unlike: tokens, start: 1, count: pair, &generator)
            }
            for pair in 0..<kv {
                var position: Int
                repeat { position = 2 * kv + 2 * gap(&generator) } while targets[position] >= 0
                tokens[position] = tokens[2 * pair]
                targets[position] = tokens[2 * pair + 1]
            }
        }

        /// A value of `range` different from tokens[start], tokens[start + 2], … (`count` of them).
        private func draw(from range: Range<Int>, unlike tokens: UnsafeMutablePointer<Int32>, start: Int, count: Int,
                          _ generator: inout SeededGenerator) -> Int32 {
            while true {
                let candidate = Int32(range.lowerBound + generator.below(range.count))
                if !(0..<count).contains(where: { tokens[start + 2 * $0] == candidate }) { return candidate }
            }
        }

        /// A gap drawn from p(g) by binary search in the cumulative table.
        private func gap(_ generator: inout SeededGenerator) -> Int {
            let u = generator.nextUnit()
            var (low, high) = (0, gapCumulative.count - 1)
            while low < high {
                let middle = (low + high) / 2
                if gapCumulative[middle] > u { high = middle } else { low = middle + 1 }
            }
            return low
        }
    }
}
