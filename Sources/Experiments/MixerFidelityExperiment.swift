import Foundation
import Kernels
import Mixers

/// What each approximate mixer loses (issue "Mixers"): the relative output error ‖Y − Y_exact‖_F/‖Y_exact‖_F
/// of every mixer and budget against a Float64 softmax reference, on Gaussian inputs and on long-range
/// retrieval inputs (each query's one matching key N/2 positions away dominates its softmax), at every N,
/// with the forward time of each point for the error-vs-time (Pareto) plot. Exact attention (the flash
/// engine, fp32) runs through the same path, so its error is its rounding error.
///
/// Window, the only causal-only approximation here, is compared with causal softmax; every other mixer
/// with non-causal softmax. The reference is computed on `referenceRows` evenly spaced rows per head.
public struct MixerFidelityExperiment: Experiment {
    public static let name = "mixer-fidelity"
    public static let title = "Fidelity of the sub-quadratic mixers (error vs N, budget and time)"

    public let configuration: MixerFidelityConfiguration

    public init(configuration: MixerFidelityConfiguration) throws(ExperimentError) {
        let c = configuration
        guard !c.inputs.isEmpty else { throw .invalidOption("inputs needs at least one value") }
        try OptionCheck.distinct(c.inputs, "inputs")
        try OptionCheck.sizes(c.lengths, "lengths (N)")
        try OptionCheck.distinct(c.lengths, "lengths (N)")
        try OptionCheck.distinct(c.mixers, "mixers")
        try OptionCheck.size(c.heads, "heads")
        try OptionCheck.headDimensions([c.headDimension], "head dimension")
        for (values, name) in [(c.windows, "windows"), (c.performerFeatures, "performer features"),
                               (c.linformerFeatures, "linformer features"), (c.degrees, "degrees"), (c.landmarks, "landmarks")] {
            try OptionCheck.sizes(values, name)
            try OptionCheck.distinct(values, name)
        }
        if let n = c.lengths.first(where: { n in c.landmarks.contains { n % $0 != 0 } }), c.mixers.contains(.nystrom) {
            throw .invalidOption("every landmark count must divide every N; \(n) is not divisible by all of \(c.landmarks)")
        }
        try OptionCheck.size(c.referenceRows, "reference rows")
        try c.settings.validate()
        for kind in c.mixers {
            for budget in c.budgets(kind) {
                do {
                    try FidelityPoint(input: .gaussian, mixer: kind, budget: budget, n: 1).descriptor(seed: c.seed).validate()
                } catch {
                    throw .invalidOption("\(error)")
                }
            }
        }
        self.configuration = c
    }

    /// Input by input, N growing, then exact followed by each mixer at each budget.
    public var points: [FidelityPoint] {
        let c = configuration
        let kinds = [MixerKind.exact] + c.mixers.filter { $0 != .exact }
        return c.inputs.flatMap { input in
            c.lengths.flatMap { n in
                kinds.flatMap { kind in c.budgets(kind).map { FidelityPoint(input: input, mixer: kind, budget: $0, n: n) } }
            }
        }
    }

    public func describe(_ point: FidelityPoint) -> String { "\(point.input.rawValue) \(point.label) N=\(point.n)" }

    /// Independent feature draws (seeds seed … seed + 3) a Performer point's error is the mean of: one draw's
    /// error scatters by ≈ ±15% around the mean, enough to widen the m^(−1/2) fit's interval past its band.
    static let performerDraws = 4

    /// Times the mixer's forward pass and measures its error on the sampled rows; stores `relativeError` (the
    /// mean over `performerDraws` draws for Performer, timed on the first) and `matchWeight`, the exact softmax
    /// weight of the matching keys, for retrieval inputs. Mixers return finite outputs or throw (the
    /// polynomial's features are normalised so its large-R points stay finite).
    public func measure(_ point: FidelityPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        let c = configuration
        let inputs = FidelityInputs(point.input, heads: c.heads, length: point.n, width: c.headDimension, seed: c.seed)
        let mixer = try point.descriptor(seed: c.seed).makeMixer()
        var output = try mixer.forward(queries: inputs.queries, keys: inputs.keys, values: inputs.values).output
        let sample = try Experiments.measure(c.settings.timing) {
            output = try mixer.forward(queries: inputs.queries, keys: inputs.keys, values: inputs.values).output
        }
        let rows = FidelityInputs.sampledRows(length: point.n, count: c.referenceRows)
        let reference = inputs.reference(rows: rows, causal: !point.mixer.allowsNonCausal)
        let draws = point.mixer == .performer ? Self.performerDraws : 1
        let errors = try (0..<draws).map { draw in
            let y = draw == 0 ? output : try point.descriptor(seed: c.seed &+ UInt64(draw)).makeMixer()
                .forward(queries: inputs.queries, keys: inputs.keys, values: inputs.values).output
            return FidelityInputs.relativeError(y, reference: reference.output, rows: rows)
        }
        var metrics = ["relativeError": errors.reduce(0, +) / Double(draws)]
        metrics["matchWeight"] = reference.matchWeight
        let flops = mixer.flops(n: point.n, d: c.headDimension) * Double(point.n * c.heads)
        return MeasurementValues(sample, flops: flops, peakGFLOPS: peakGFLOPS, metrics: metrics)
    }

    public func analyse(_ results: [ExperimentResult<FidelityPoint, MeasurementValues>]) -> ExperimentAnalysis {
        MixerFidelityAnalysis(configuration: configuration, results: results).analysis()
    }
}
