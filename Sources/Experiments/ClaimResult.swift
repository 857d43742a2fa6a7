import Foundation

/// What a claim predicts for a measured quantity.
public enum Prediction: Codable, Sendable, Equatable {
    /// The quantity equals `value` up to `tolerance` (e.g. an exponent of 2 ± 0.15).
    case near(value: Double, tolerance: Double)
    /// The quantity is at most `bound` (e.g. a backward/forward ratio bounded by a constant).
    case atMost(Double)
    /// The quantity is at least `bound`.
    case atLeast(Double)

    /// The values the prediction allows.
    public var allowed: ClosedRange<Double> {
        switch self {
        case .near(let value, let tolerance): (value - abs(tolerance))...(value + abs(tolerance))
        case .atMost(let bound): -Double.infinity...bound
        case .atLeast(let bound): bound...Double.infinity
        }
    }

    /// Short human text: "2 ± 0.15", "≤ 3", "≥ 1".
    public var summary: String {
        switch self {
        case .near(let value, let tolerance): "\(NumberText.short(value)) ± \(NumberText.short(tolerance))"
        case .atMost(let bound): "≤ \(NumberText.short(bound))"
        case .atLeast(let bound): "≥ \(NumberText.short(bound))"
        }
    }
}

/// Whether a measurement supports a claim.
public enum Verdict: String, Codable, Sendable {
    case supported
    case notSupported = "not supported"
    case inconclusive
}

/// One claim, what it predicts, what was measured (with its confidence interval) and the verdict.
public struct ClaimResult: Codable, Sendable, Equatable {
    /// The claim in words, e.g. "exact attention costs Θ(N²) at fixed m".
    public var claim: String
    /// Human text of the prediction, e.g. "exponent 2 ± 0.15".
    public var predicted: String
    public var measured: Double
    /// Lower and upper end of the measured value's confidence interval.
    public var low: Double
    public var high: Double
    public var verdict: Verdict
    /// Caveats: noisy timings, too few points, the cut-off used, …
    public var note: String

    /// A claim with a verdict decided by the caller (for claims that are not one number in a band).
    public init(claim: String, predicted: String, measured: Double, low: Double, high: Double,
                verdict: Verdict, note: String = "") {
        self.claim = claim
        self.predicted = predicted
        self.measured = measured
        self.low = low
        self.high = high
        self.verdict = verdict
        self.note = note
    }

    /// A claim judged by comparing the measured interval with the values the prediction allows:
    /// *supported* when the whole interval lies inside them, *not supported* when none of it does,
    /// *inconclusive* when they partly overlap (the data cannot decide) or the measurement is not finite.
    public init(claim: String, prediction: Prediction, measured: Double, interval: ClosedRange<Double>,
                note: String = "") {
        self.init(claim: claim, predicted: prediction.summary, measured: measured,
                  low: interval.lowerBound, high: interval.upperBound,
                  verdict: Self.judge(prediction.allowed, measured: measured, interval: interval), note: note)
    }

    /// The claim about a fitted exponent, judged on the fit's confidence interval.
    public init(claim: String, prediction: Prediction, fit: PowerLawFit, note: String = "") {
        self.init(claim: claim, prediction: prediction, measured: fit.exponent, interval: fit.exponentInterval,
                  note: note)
    }

    private static func judge(_ allowed: ClosedRange<Double>, measured: Double, interval: ClosedRange<Double>)
        -> Verdict
    {
        guard measured.isFinite, !interval.lowerBound.isNaN, !interval.upperBound.isNaN else { return .inconclusive }
        if allowed.contains(interval.lowerBound) && allowed.contains(interval.upperBound) { return .supported }
        if !allowed.overlaps(interval) { return .notSupported }
        return .inconclusive
    }
}
