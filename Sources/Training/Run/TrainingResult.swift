/// What a finished run reports (`attnlab train --json`), with the per-step training loss.
public struct TrainingResult: Codable, Sendable, Equatable {
    /// Mean training loss over the last min(100, steps) steps.
    public let trainLoss: Double
    public let validationLoss: Double
    /// NMSE (regression) or accuracy (recall, copying, text), as `metric` says.
    public let validationMetric: Double
    public let metric: TaskMetric
    public let steps: Int
    /// Steps this process ran per second of wall time (checkpoint writes included, validation not).
    public let stepsPerSecond: Double
    /// Wall time of this process's part of the run, validation included.
    public let seconds: Double
    /// The step the run resumed from (0 for a fresh run).
    public let resumedFromStep: Int
    /// Training loss of every step, from step 1 (also across a resume).
    public let lossCurve: [Float]
    /// Validation points of this process's part of the run (`train(curvePoints:)`; empty without).
    public let curve: [CurvePoint]

    enum CodingKeys: String, CodingKey {
        case trainLoss = "train_loss", validationLoss = "validation_loss", validationMetric = "validation_metric"
        case metric, steps, stepsPerSecond = "steps_per_second", seconds, resumedFromStep = "resumed_from_step"
        case lossCurve = "loss_curve", curve
    }
}

/// Where a run is, for progress displays.
public struct TrainingProgress: Sendable {
    /// Steps done (1…totalSteps).
    public let step: Int
    public let totalSteps: Int
    public let loss: Double
    /// The task metric on this step's batch (training examples).
    public let metric: Double
    public let stepsPerSecond: Double
    public var secondsLeft: Double { Double(totalSteps - step) / max(stepsPerSecond, 1e-9) }
}
