import Foundation
import Mixers

/// Claims, table and plots of `mixer-fidelity` from whichever points are stored. O(points²) for the
/// Pareto fronts, O(points) otherwise.
struct MixerFidelityAnalysis {
    let configuration: MixerFidelityConfiguration
    let results: [ExperimentResult<FidelityPoint, MeasurementValues>]

    /// The error every sub-quadratic mixer is claimed to keep on retrieval inputs at the largest N, at its
    /// best budget: a tenth of the output's norm.
    static let retrievalErrorFloor = 0.1
    /// fp32 flash attention vs the Float64 reference.
    static let exactErrorCeiling = 1e-4
    /// The share of the softmax the matching key is built to hold.
    static let matchWeightFloor = 0.9

    private func error(_ result: ExperimentResult<FidelityPoint, MeasurementValues>) -> Double {
        result.values.metrics["relativeError"] ?? .nan
    }

    private var largestN: Int? { results.map(\.point.n).max() }

    func analysis() -> ExperimentAnalysis {
        var claims = [exactClaim(), matchClaim()]
        claims += configuration.mixers.filter { $0 != .exact }.map(retrievalClaim)
        if configuration.mixers.contains(.performer) { claims.append(performerClaim().claim) }
        let plots = configuration.inputs.flatMap { [errorPlot($0), paretoPlot($0)] }
            + (configuration.mixers.contains(.performer) ? [performerPlot()] : [])
        let rows = results.sorted { a, b in
            (a.point.input.rawValue, a.point.n, a.point.mixer.rawValue, a.point.budget ?? 0)
                < (b.point.input.rawValue, b.point.n, b.point.mixer.rawValue, b.point.budget ?? 0)
        }.map { result in
            [result.point.input.rawValue, result.point.label, String(result.point.n),
             NumberText.short(error(result), digits: 3)] + SweepAnalysis.timingCells(result.values)
                + [result.values.metrics["matchWeight"].map { NumberText.short($0, digits: 4) } ?? ""]
        }
        let table = ReportTable(headers: ["Input", "Mixer", "N", "Relative error", "Median (ms)", "Min (ms)", "CV",
                                          "Match weight"], rows: rows)
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }

    /// The largest error of exact attention (fp32 flash) at any point.
    private func exactClaim() -> ClaimResult {
        let claim = "exact attention (fp32 flash) matches the Float64 softmax at every N on every input"
        let prediction = Prediction.atMost(Self.exactErrorCeiling)
        let errors = results.filter { $0.point.mixer == .exact }.map(error)
        guard let worst = errors.max() else { return SweepAnalysis.inconclusive(claim, prediction, note: "no exact point measured") }
        return ClaimResult(claim: claim, prediction: prediction, measured: worst, interval: worst...worst,
                           note: "largest relative error over \(errors.count) points")
    }

    /// The smallest share of the softmax the matching key holds on retrieval inputs.
    private func matchClaim() -> ClaimResult {
        let claim = "retrieval inputs: each query's key N/2 positions away holds most of its exact softmax"
        let prediction = Prediction.atLeast(Self.matchWeightFloor)
        let weights = results.compactMap { $0.values.metrics["matchWeight"] }
        guard let least = weights.min() else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "no retrieval point measured")
        }
        return ClaimResult(claim: claim, prediction: prediction, measured: least, interval: least...least,
                           note: "smallest mean weight of the matching key over \(weights.count) points (sampled rows, all heads)")
    }

    /// `kind`'s best error over its budgets on retrieval inputs at the largest N.
    private func retrievalClaim(_ kind: MixerKind) -> ClaimResult {
        let claim = "retrieval inputs at the largest N: \(kind.rawValue) at its best budget errs by ≥ \(NumberText.short(Self.retrievalErrorFloor)) (exact: ≈ 0)"
        let prediction = Prediction.atLeast(Self.retrievalErrorFloor)
        let candidates = results.filter {
            $0.point.input == .retrieval && $0.point.mixer == kind && $0.point.n == largestN && error($0).isFinite
        }
        guard let best = candidates.min(by: { error($0) < error($1) }) else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "no \(kind.rawValue) point with a finite output on retrieval inputs at the largest N")
        }
        let value = error(best)
        return ClaimResult(claim: claim, prediction: prediction, measured: value, interval: value...value,
                           note: "N = \(best.point.n), best of \(candidates.count) budget(s): \(best.point.label)")
    }

    /// Performer's error vs m on moderate-norm inputs at the largest N, fitted as c·m^k (Monte Carlo: k = −½).
    /// On N(0, 1) inputs at D = 16 FAVOR+'s variance factor e^{‖x̂ + ŷ‖²} ≈ e^8 keeps m ≤ 1024 pre-asymptotic
    /// (the error stays ≈ 1), so the rate is claimed where the estimator's variance is moderate.
    private func performerClaim() -> (claim: ClaimResult, fit: PowerLawFit?, points: [ExperimentResult<FidelityPoint, MeasurementValues>]) {
        let points = results.filter { $0.point.input == .moderate && $0.point.mixer == .performer && $0.point.n == largestN }
            .sorted { ($0.point.budget ?? 0) < ($1.point.budget ?? 0) }
        let fit = SweepAnalysis.exponentClaim(
            "moderate-norm inputs (E‖x̂‖² = ½) at the largest N: Performer's error falls as m^(−1/2) in the features m",
            prediction: .near(value: -0.5, tolerance: 0.15),
            sizes: points.map { Double($0.point.budget ?? 0) }, values: points.map(error),
            note: "mean of \(MixerFidelityExperiment.performerDraws) feature draws per m (seeds \(configuration.seed)…), \(configuration.heads) heads")
        return (fit.claim, fit.fit, points)
    }

    /// Error vs N on `input`: exact and each mixer at its largest budget.
    private func errorPlot(_ input: FidelityInput) -> LogLogPlot {
        let c = configuration
        let kinds = [MixerKind.exact] + c.mixers.filter { $0 != .exact }
        let series = kinds.map { kind in
            let budget = c.budgets(kind).last ?? nil
            let points = results.filter { $0.point.input == input && $0.point.mixer == kind && $0.point.budget == budget }
                .sorted { $0.point.n < $1.point.n }
            let label = FidelityPoint(input: input, mixer: kind, budget: budget, n: 0).label
            return PlotSeries(name: label, points: points.map { PlotPoint(x: Double($0.point.n), y: error($0)) })
        }
        return LogLogPlot(title: "Relative error vs N, \(input.rawValue) inputs (largest budgets)",
                          xLabel: "sequence length N", yLabel: "‖Y − Y_exact‖ / ‖Y_exact‖", series: series)
    }

    /// Error vs forward time at the largest N on `input`, one series per mixer over its budgets, and the
    /// Pareto-optimal points (no other point both faster and more accurate) as their own series.
    private func paretoPlot(_ input: FidelityInput) -> LogLogPlot {
        let atLargest = results.filter { $0.point.input == input && $0.point.n == largestN }
        let kinds = [MixerKind.exact] + configuration.mixers.filter { $0 != .exact }
        var series = kinds.map { kind in
            PlotSeries(name: kind.rawValue, points: atLargest.filter { $0.point.mixer == kind }
                .sorted { ($0.point.budget ?? 0) < ($1.point.budget ?? 0) }
                .map { PlotPoint(x: $0.values.median, y: error($0)) })
        }
        let front = Self.paretoFront(atLargest.map { (time: $0.values.median, error: error($0)) })
        series.append(PlotSeries(name: "Pareto-optimal", points: front.map { PlotPoint(x: $0.time, y: $0.error) }))
        return LogLogPlot(title: "Error vs forward time at N = \(largestN ?? 0), \(input.rawValue) inputs",
                          xLabel: "forward time (s)", yLabel: "‖Y − Y_exact‖ / ‖Y_exact‖", series: series)
    }

    /// Performer's error vs m with the fitted power law.
    private func performerPlot() -> LogLogPlot {
        let (_, fit, points) = performerClaim()
        return LogLogPlot(
            title: "Performer error vs features m (moderate-norm inputs, N = \(largestN ?? 0))", xLabel: "random features m",
            yLabel: "‖Y − Y_exact‖ / ‖Y_exact‖",
            series: [PlotSeries(name: "performer", points: points.map { PlotPoint(x: Double($0.point.budget ?? 0), y: error($0)) },
                                fit: fit.map(FittedLine.init))])
    }

    /// The points no other point beats in both time and error (ties kept), sorted by time. O(points²).
    static func paretoFront(_ points: [(time: Double, error: Double)]) -> [(time: Double, error: Double)] {
        let finite = points.filter { $0.time.isFinite && $0.error.isFinite }
        return finite.filter { p in
            !finite.contains { q in q.time <= p.time && q.error <= p.error && (q.time < p.time || q.error < p.error) }
        }.sorted { $0.time < $1.time }
    }

    private var summary: String {
        let c = configuration
        return """
            Relative output error ‖Y − Y_exact‖_F/‖Y_exact‖_F of each mixer against a Float64 softmax reference \
            (computed on \(c.referenceRows) evenly spaced rows per head), H = \(c.heads), D = \(c.headDimension), \
            scale 1/√D, N = \(c.lengths.map(String.init).joined(separator: ", ")), on Gaussian inputs (Q, K, V ~ \
            N(0, 1)), moderate-norm inputs (Q, K ~ N(0, 1/(2√D)), V ~ N(0, 1)) and retrieval inputs (unit key directions uⱼ; query i = key (i + N/2) mod N; scaled match \
            score τ = 4·ln N + 16, so the far key dominates; V ~ N(0, 1)). Budgets: window w \
            \(c.windows.map(String.init).joined(separator: ", ")) (causal, against causal softmax); Performer m \
            \(c.performerFeatures.map(String.init).joined(separator: ", ")); Linformer k \
            \(c.linformerFeatures.map(String.init).joined(separator: ", ")); polynomial degree \
            \(c.degrees.map(String.init).joined(separator: ", ")); Nyström landmarks \
            \(c.landmarks.map(String.init).joined(separator: ", ")); linear (elu+1) and Based have none. Random \
            mixers use seed \(c.seed). Times are medians of the forward pass with \(c.settings.threads) thread(s).
            """
    }
}
