import Foundation

/// When to stop repeating a timed body.
///
/// `measure` runs `warmup` untimed calls, then timed calls until one of these holds:
/// - `maxRepeats` timed calls are done;
/// - at least `minRepeats` are done and the running median is *stable*: over the last `stableWindow`
///   calls it moved by less than `stableRelativeSpread` (relative to the current median);
/// - the next call, predicted to take as long as the last one, would end after `budgetSeconds`
///   (measured from the first warm-up call). At least one timed call always runs, so one call that is
///   slower than the whole budget still yields a sample.
public struct TimingPolicy: Codable, Sendable, Equatable {
    /// Untimed calls before timing starts (caches, page faults, thread-pool spin-up).
    public var warmup: Int
    /// Timed calls always made, unless the budget runs out first.
    public var minRepeats: Int
    /// Timed calls never exceeded.
    public var maxRepeats: Int
    /// Wall time the whole measurement (warm-up included) aims to stay within.
    public var budgetSeconds: Double
    /// Number of most recent running medians compared by the stability rule.
    public var stableWindow: Int
    /// Largest relative change of the running median over `stableWindow` calls that counts as stable.
    public var stableRelativeSpread: Double
    /// Coefficient of variation (standard deviation / mean) above which a sample is flagged noisy.
    public var noisyCoefficientOfVariation: Double

    public init(
        warmup: Int = 1, minRepeats: Int = 5, maxRepeats: Int = 50, budgetSeconds: Double = 5,
        stableWindow: Int = 3, stableRelativeSpread: Double = 0.01, noisyCoefficientOfVariation: Double = 0.1
    ) {
        self.warmup = max(0, warmup)
        self.minRepeats = max(1, minRepeats)
        self.maxRepeats = max(self.minRepeats, maxRepeats)
        self.budgetSeconds = max(0, budgetSeconds)
        self.stableWindow = max(1, stableWindow)
        self.stableRelativeSpread = max(0, stableRelativeSpread)
        self.noisyCoefficientOfVariation = noisyCoefficientOfVariation
    }

    /// 1 warm-up, 5…50 repeats, 5 s budget, stable at 1%, noisy above 10% CV.
    public static let standard = TimingPolicy()
}

/// Why `measure` stopped repeating.
public enum TimingStopReason: String, Codable, Sendable {
    case stable, maxRepeats, budget
}

/// The timed calls of one `measure` and their summary statistics (all in seconds).
public struct TimingSample: Codable, Sendable, Equatable {
    /// Duration of each timed call, in the order they ran.
    public let seconds: [Double]
    public let median: Double
    public let minimum: Double
    public let mean: Double
    /// Sample standard deviation over mean; 0 for a single call.
    public let coefficientOfVariation: Double
    /// True when `coefficientOfVariation` exceeds the policy's threshold: treat the median with care.
    public let isNoisy: Bool
    public let stopReason: TimingStopReason

    /// Summarises `seconds` (non-empty).
    public init(seconds: [Double], noisyThreshold: Double, stopReason: TimingStopReason) {
        precondition(!seconds.isEmpty, "a timing sample needs at least one call")
        self.seconds = seconds
        self.median = Statistics.median(seconds)
        self.minimum = seconds.min()!
        self.mean = Statistics.mean(seconds)
        let deviation = Statistics.standardDeviation(seconds)
        self.coefficientOfVariation = mean > 0 ? deviation / mean : 0
        self.isNoisy = coefficientOfVariation > noisyThreshold
        self.stopReason = stopReason
    }
}

/// Times `body` under `policy` with a monotonic clock and returns every timed call with its summary.
/// Errors thrown by `body` stop the measurement and propagate.
public func measure(_ policy: TimingPolicy = .standard, _ body: () throws -> Void) rethrows -> TimingSample {
    let clock = ContinuousClock()
    let start = clock.now
    var elapsed: Double { (clock.now - start).seconds }
    var lastCall = 0.0

    for _ in 0..<policy.warmup {
        if elapsed + lastCall > policy.budgetSeconds { break }
        let callStart = clock.now
        try body()
        lastCall = (clock.now - callStart).seconds
    }

    var seconds: [Double] = []
    var runningMedians: [Double] = []
    while true {
        let callStart = clock.now
        try body()
        lastCall = (clock.now - callStart).seconds
        seconds.append(lastCall)
        runningMedians.append(Statistics.median(seconds))

        if seconds.count >= policy.maxRepeats {
            return TimingSample(seconds: seconds, noisyThreshold: policy.noisyCoefficientOfVariation, stopReason: .maxRepeats)
        }
        if seconds.count >= policy.minRepeats && isStable(runningMedians, policy) {
            return TimingSample(seconds: seconds, noisyThreshold: policy.noisyCoefficientOfVariation, stopReason: .stable)
        }
        if elapsed + lastCall > policy.budgetSeconds {
            return TimingSample(seconds: seconds, noisyThreshold: policy.noisyCoefficientOfVariation, stopReason: .budget)
        }
    }
}

/// True when the last `stableWindow` running medians all lie within `stableRelativeSpread` of the latest.
private func isStable(_ runningMedians: [Double], _ policy: TimingPolicy) -> Bool {
    guard runningMedians.count > policy.stableWindow, let latest = runningMedians.last, latest > 0 else {
        return false
    }
    let window = runningMedians.suffix(policy.stableWindow + 1)
    let spread = window.max()! - window.min()!
    return spread / latest < policy.stableRelativeSpread
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
