/// Everything that determines a training run, bit for bit: task, model, optimizer, schedule, batch,
/// seed and shard count. Stored in every checkpoint; a checkpoint resumes only under an equal
/// configuration.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var task: TaskDescription
    public var model: ModelDescription
    /// Optimizer steps in the whole run.
    public var steps: Int
    public var batchSize: Int
    /// Peak learning rate of the warm-up + cosine schedule.
    public var learningRate: Float
    public var warmupSteps: Int
    public var adam: AdamWSettings
    /// Global gradient-norm bound; nil for no clipping.
    public var clipNorm: Float?
    /// Fixes initialisation, the task's examples and the data order.
    public var seed: UInt64
    /// Replicas the batch is split over (see `TrainingModel`); fixed so results do not depend on cores.
    public var shards: Int

    public init(task: TaskDescription, model: ModelDescription, steps: Int, batchSize: Int = 64,
                learningRate: Float = 1e-3, warmupSteps: Int? = nil, weightDecay: Float = 0.01, clipNorm: Float? = 1,
                seed: UInt64 = 0, shards: Int = 2) {
        self.task = task
        self.model = model
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps ?? min(100, steps / 20)
        self.adam = AdamWSettings(weightDecay: weightDecay)
        self.clipNorm = clipNorm
        self.seed = seed
        self.shards = shards
    }

    /// Steps for `epochs` passes over the task's training examples (rounded up).
    public static func steps(epochs: Int, task: TaskDescription, batchSize: Int) throws -> Int {
        let examples = try task.prepare(seed: 0).trainingCount
        return (epochs * examples + batchSize - 1) / batchSize
    }

    public var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: steps)
    }

    /// Throws `TrainingError.invalidOption` for a non-positive size or rate.
    public func validate() throws {
        guard steps > 0 else { throw TrainingError.invalidOption("steps must be positive, got \(steps)") }
        guard batchSize > 0 else { throw TrainingError.invalidOption("batch must be positive, got \(batchSize)") }
        guard shards > 0 else { throw TrainingError.invalidOption("shards must be positive, got \(shards)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw TrainingError.invalidOption("learning rate must be positive, got \(learningRate)")
        }
        guard adam.weightDecay >= 0, adam.weightDecay.isFinite else {
            throw TrainingError.invalidOption("weight decay must be non-negative, got \(adam.weightDecay)")
        }
        guard warmupSteps >= 0 else { throw TrainingError.invalidOption("warm-up steps must be non-negative") }
        if let clipNorm, !(clipNorm > 0) { throw TrainingError.invalidOption("clip norm must be positive, got \(clipNorm)") }
        try model.validate()
        try task.validate()
    }
}
