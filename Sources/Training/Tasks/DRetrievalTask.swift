import Kernels

/// Yu et al.'s D-retrieval regression (SCIENCE.md §6): `y = Σ_{i=1..D} max_t a_iᵀ x(t)` with x(t) ~ N(0, I)
/// for t = 1…T and fixed random a_i ~ N(0, I) drawn from the seed. Metric: NMSE = MSE/Var(y) on the
/// validation set.
public struct DRetrievalTask: Codable, Sendable, Equatable {
    /// T, vectors per example.
    public var length = 16
    /// D, retrieval targets.
    public var targets = 4
    public var inputDimension = 4
    public var trainSamples = 8000
    public var validationSamples = 2000

    public init(length: Int = 16, targets: Int = 4, inputDimension: Int = 4, trainSamples: Int = 8000,
                validationSamples: Int = 2000) {
        self.length = length
        self.targets = targets
        self.inputDimension = inputDimension
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
    }

    func prepare(seed: UInt64) -> TaskData { Data(task: self, seed: seed) }

    struct Data: TaskData {
        let task: DRetrievalTask
        let seed: UInt64
        /// `[D, dim]`.
        let directions: [Float]
        let targetVariance: Double
        var trainingCount: Int { task.trainSamples }
        var validationCount: Int { task.validationSamples }
        var metric: TaskMetric { .nmse }

        init(task: DRetrievalTask, seed: UInt64) {
            self.task = task
            self.seed = seed
            var generator = SeededGenerator(seed: seed ^ 0xA5A5_0D0D_0001)
            directions = (0..<(task.targets * task.inputDimension)).map { _ in Float(generator.nextNormal()) }
            var vectors = [Float](repeating: 0, count: task.length * task.inputDimension)
            var sum = 0.0, squares = 0.0
            for index in 0..<task.validationSamples {
                let y = Double(Self.example(task, directions, seed: seed, split: .validation, index: index, into: &vectors))
                sum += y
                squares += y * y
            }
            let n = Double(max(1, task.validationSamples))
            targetVariance = max(squares / n - (sum / n) * (sum / n), .leastNormalMagnitude)
        }

        /// Writes x `[T, dim]` into `vectors` and returns y.
        static func example(_ task: DRetrievalTask, _ directions: [Float], seed: UInt64, split: DataSplit, index: Int,
                            into vectors: UnsafeMutablePointer<Float>) -> Float {
            var generator = exampleGenerator(seed: seed, split: split, index: index)
            let dim = task.inputDimension
            for i in 0..<(task.length * dim) { vectors[i] = Float(generator.nextNormal()) }
            var y: Float = 0
            for target in 0..<task.targets {
                var best = -Float.infinity
                for t in 0..<task.length {
                    var dot: Float = 0
                    for c in 0..<dim { dot += directions[target * dim + c] * vectors[t * dim + c] }
                    best = max(best, dot)
                }
                y += best
            }
            return y
        }

        func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int) {
            let per = task.length * task.inputDimension
            batch.valueTargets!.pointer[slot] = Self.example(task, directions, seed: seed, split: split, index: index,
                                                             into: batch.vectors!.pointer + slot * per)
        }
    }
}
