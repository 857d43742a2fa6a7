/// One point of a run's learning curve: after `step` optimizer steps, the mean training loss of the steps
/// since the previous point, and the loss and task metric over the whole validation set.
public struct CurvePoint: Codable, Sendable, Equatable {
    public let step: Int
    public let trainLoss: Double
    public let validationLoss: Double
    /// NMSE (regression) or accuracy, as the run's `TaskMetric` says.
    public let validationMetric: Double

    public init(step: Int, trainLoss: Double, validationLoss: Double, validationMetric: Double) {
        self.step = step
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationMetric = validationMetric
    }

    enum CodingKeys: String, CodingKey {
        case step, trainLoss = "train_loss", validationLoss = "validation_loss", validationMetric = "validation_metric"
    }

    /// The steps after which a run of `steps` steps evaluates for a curve of `points` points: evenly spaced,
    /// the last one the final step (empty for `points` ≤ 0).
    public static func steps(points: Int, of steps: Int) -> [Int] {
        guard points > 0, steps > 0 else { return [] }
        let count = min(points, steps)
        return (1...count).map { ($0 * steps + count - 1) / count }
    }
}
