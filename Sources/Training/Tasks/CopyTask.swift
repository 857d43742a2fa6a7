import Kernels

/// Copying as Jelassi et al. (SCIENCE.md §4): `$ s | s .` for a random string s of L letters (26),
/// L uniform in [minLength, maxLength], padded to the longest example (2·maxLength + 3 tokens). The
/// loss counts the copied half only: the position before each copied letter predicts it (the `|` predicts
/// s₁, …). Metric: sequence accuracy, the fraction of strings whose every copied letter is right
/// (teacher-forced arg-max; equal to exact match under greedy decoding).
/// Tokens: letters 0–25, `$` 26, `|` 27, `.` 28, padding 29 (vocabulary 30).
public struct CopyTask: Codable, Sendable, Equatable {
    public static let vocabulary = 30
    static let (start, separator, end, padding): (Int32, Int32, Int32, Int32) = (26, 27, 28, 29)
    public var minLength = 5
    public var maxLength = 20
    public var trainSamples = 100_000
    public var validationSamples = 1000

    public init(minLength: Int = 5, maxLength: Int = 20, trainSamples: Int = 100_000, validationSamples: Int = 1000) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
    }

    /// Tokens per example.
    public var sequenceLength: Int { 2 * maxLength + 3 }

    func validate() throws {
        guard minLength > 0, maxLength >= minLength else {
            throw TrainingError.invalidOption("copy needs 0 < min-length ≤ max-length, got \(minLength) and \(maxLength)")
        }
    }

    func prepare(seed: UInt64) -> TaskData { Data(task: self, seed: seed) }

    struct Data: TaskData {
        let task: CopyTask
        let seed: UInt64
        var trainingCount: Int { task.trainSamples }
        var validationCount: Int { task.validationSamples }
        var metric: TaskMetric { .sequenceAccuracy }

        func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int) {
            var generator = exampleGenerator(seed: seed, split: split, index: index)
            let n = task.sequenceLength
            let tokens = batch.tokens!.pointer + slot * n, targets = batch.classTargets!.pointer + slot * n
            let length = task.minLength + generator.below(task.maxLength - task.minLength + 1)
            for i in 0..<n {
                tokens[i] = CopyTask.padding
                targets[i] = -1
            }
            tokens[0] = CopyTask.start
            tokens[length + 1] = CopyTask.separator
            tokens[2 * length + 2] = CopyTask.end
            for i in 0..<length {
                let letter = Int32(generator.below(26))
                tokens[1 + i] = letter
                tokens[length + 2 + i] = letter
                targets[length + 1 + i] = letter
            }
        }
    }
}
