import Foundation
import Mixers

/// Time vs N of every mixer (issue "Mixers"): forward (and with `backward`, backward) time of each mixer at
/// fixed budgets for N = 1024 … 16384, fitted exponents, and the N where each overtakes flash attention
/// (interpolated on the fitted lines). Claims: each sub-quadratic mixer's exponent ≤ 1.15; exact's 2.
/// Causal-only mixers (window, GLA, RetNet, Mamba) run causal and are compared with causal flash.
public struct MixerScalingExperiment: Experiment {
    public static let name = "mixer-scaling"
    public static let title = "Time vs N of the sub-quadratic mixers"

    public let configuration: MixerScalingConfiguration

    public init(configuration: MixerScalingConfiguration) throws(ExperimentError) {
        let c = configuration
        guard !c.mixers.isEmpty else { throw .invalidOption("mixers needs at least one value") }
        try OptionCheck.distinct(c.mixers, "mixers")
        try OptionCheck.sizes(c.lengths, "lengths (N)")
        try OptionCheck.distinct(c.lengths, "lengths (N)")
        try OptionCheck.size(c.heads, "heads")
        try OptionCheck.headDimensions([c.headDimension], "head dimension")
        for (value, name) in [(c.window, "window"), (c.features, "features"), (c.degree, "degree"), (c.landmarks, "landmarks")] {
            try OptionCheck.size(value, name)
        }
        if c.mixers.contains(.nystrom), let n = c.lengths.first(where: { $0 % c.landmarks != 0 }) {
            throw .invalidOption("landmarks \(c.landmarks) must divide every N; \(n) is not divisible")
        }
        try c.settings.validate()
        for kind in c.mixers.compactMap(\.tokenKind) {
            do { try c.descriptor(kind, causal: !kind.allowsNonCausal).validate() } catch { throw .invalidOption("\(error)") }
        }
        self.configuration = c
    }

    /// Exact first (non-causal, and causal when a causal-only mixer needs it), then each mixer; N growing.
    public var points: [MixerScalingPoint] {
        let c = configuration
        var timed: [(MixerName, Bool)] = [(.exact, false)]
        if c.mixers.contains(where: \.isCausalOnly) { timed.append((.exact, true)) }
        timed += c.mixers.filter { $0 != .exact }.map { ($0, $0.isCausalOnly) }
        return timed.flatMap { mixer, causal in c.lengths.map { MixerScalingPoint(mixer: mixer, causal: causal, n: $0) } }
    }

    public func describe(_ point: MixerScalingPoint) -> String { "\(point.label) N=\(point.n)" }

    /// Forward time (FLOPs from the mixer's own count); with `backward`, the backward time as
    /// `backwardSeconds` (median) and `backwardMinimum`.
    public func measure(_ point: MixerScalingPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        let workload = try MixerWorkload(point, configuration)
        let timing = configuration.settings.timing
        var saved = try workload.forward()
        let sample = try Experiments.measure(timing) { saved = try workload.forward() }
        var metrics: [String: Double] = [:]
        if configuration.backward {
            let backward = try Experiments.measure(timing) { try workload.backward(saved) }
            metrics = ["backwardSeconds": backward.median, "backwardMinimum": backward.minimum]
        }
        return MeasurementValues(sample, flops: workload.forwardFLOPs, peakGFLOPS: peakGFLOPS, metrics: metrics)
    }

    public func analyse(_ results: [ExperimentResult<MixerScalingPoint, MeasurementValues>]) -> ExperimentAnalysis {
        MixerScalingAnalysis(configuration: configuration, results: results).analysis()
    }
}
