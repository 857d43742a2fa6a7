import Kernels

/// The examples a task draws from.
public enum DataSplit: UInt64, Sendable {
    case training = 1
    case validation = 2
}

/// What a task's validation metric measures.
public enum TaskMetric: String, Codable, Sendable {
    /// MSE / Var(y) over the validation set (regression; lower is better).
    case nmse
    /// Fraction of counted target positions whose arg-max is right.
    case tokenAccuracy = "token_accuracy"
    /// Fraction of examples whose counted positions are all right (teacher-forced arg-max, which equals
    /// exact match under greedy decoding).
    case sequenceAccuracy = "sequence_accuracy"
}

/// A task ready to make examples: `fill` writes example `index` of a split into one slot of a batch,
/// the same bytes every time for the same seed.
protocol TaskData: Sendable {
    var trainingCount: Int { get }
    var validationCount: Int { get }
    var metric: TaskMetric { get }
    /// Var(y) of the validation targets (regression), the denominator of NMSE.
    var targetVariance: Double { get }
    func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int)
}

extension TaskData {
    var targetVariance: Double { 1 }
}

/// The generator of one example: seeded by the task seed, the split and the index, so any example can
/// be made on its own, in any order, on any thread.
func exampleGenerator(seed: UInt64, split: DataSplit, index: Int) -> SeededGenerator {
    SeededGenerator(seed: seed ^ (split.rawValue &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
}

extension SeededGenerator {
    /// Uniform in 0..<bound.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
