import Foundation

/// Linear warm-up to `peak` over `warmupSteps`, then a cosine decay to `peak·finalFraction` at `totalSteps`.
///
///     rate(s) = peak·(s + 1)/warmup                                   for s < warmup
///     rate(s) = peak·(f + (1 − f)·½(1 + cos(π·(s − warmup)/(total − warmup))))   after
///
/// Steps s count from 0.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var finalFraction: Float

    public init(peak: Float, warmupSteps: Int, totalSteps: Int, finalFraction: Float = 0) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.finalFraction = finalFraction
    }

    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let cosine = Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
        return peak * (finalFraction + (1 - finalFraction) * cosine)
    }
}
