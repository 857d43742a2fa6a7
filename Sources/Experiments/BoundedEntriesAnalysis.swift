import Foundation

/// Claims, table and plots of `bounded-entries` from whichever points are stored.
struct BoundedEntriesAnalysis {
    let configuration: BoundedEntriesConfiguration
    let results: [ExperimentResult<BoundedEntriesPoint, BoundedEntriesValues>]

    /// The error that counts as Ω(1), and where the transition is read off.
    static let largeError = 0.1
    /// From this B/√ln n on the points count as "above the threshold".
    static let aboveRatio = 2.0

    func analysis() -> ExperimentAnalysis {
        let sorted = results.sorted { ($0.point.n, $0.point.ratio) < ($1.point.n, $1.point.ratio) }
        let table = ReportTable(
            headers: ["n", "d", "B/√ln n", "B", "g", "r", "capped", "P rel. error", "max error", "1/n", "poly ms", "exact ms"],
            rows: sorted.map { r in
                let (p, v) = (r.point, r.values)
                return [String(p.n), String(p.headDimension), NumberText.short(p.ratio), NumberText.short(p.bound),
                        String(v.degree), String(v.features), v.capped ? "yes" : "no", NumberText.short(v.polynomialError),
                        v.nonFiniteOutputs > 0 ? "∞ (\(v.nonFiniteOutputs) non-finite)" : NumberText.short(v.maximumError),
                        NumberText.short(1 / Double(p.n)),
                        NumberText.short(v.polynomialSeconds * 1e3), NumberText.short(v.exactSeconds * 1e3)]
            })
        return ExperimentAnalysis(summary: summary, claims: [belowClaim, aboveClaim, transitionClaim],
                                  table: table, plots: [errorPlot, degreePlot])
    }

    /// Below the threshold: every point whose prescribed degree fits the budget has error ≤ 1/n.
    var belowClaim: ClaimResult {
        let claim = "Below the threshold (prescribed degree within the feature budget): max error ≤ 1/n, i.e. n·error ≤ 1"
        let prediction = Prediction.atMost(1)
        let fitting = results.filter { !$0.values.capped }
        guard !fitting.isEmpty else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "no point's prescribed degree fits the feature budget")
        }
        let worst = fitting.map { $0.values.error * Double($0.point.n) }.max()!
        let largest = fitting.map(\.point.ratio).max()!
        return ClaimResult(claim: claim, prediction: prediction, measured: worst, interval: worst...worst,
                           note: "\(fitting.count) points, B/√ln n up to \(NumberText.short(largest))")
    }

    /// Above the threshold: error ≥ 0.1 at every point with B/√ln n ≥ 2.
    var aboveClaim: ClaimResult {
        let claim = "Above the threshold (B/√ln n ≥ \(NumberText.short(Self.aboveRatio))): max error is Ω(1), ≥ \(NumberText.short(Self.largeError))"
        let prediction = Prediction.atLeast(Self.largeError)
        let above = results.filter { $0.point.ratio >= Self.aboveRatio }
        guard !above.isEmpty else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "no point with B/√ln n ≥ \(NumberText.short(Self.aboveRatio))")
        }
        let smallest = above.map(\.values.error).min()!
        let shown = min(smallest, .greatestFiniteMagnitude)
        return ClaimResult(claim: claim, predicted: prediction.summary, measured: shown, low: shown, high: shown,
                           verdict: smallest >= Self.largeError ? .supported : .notSupported,
                           note: "smallest error over \(above.count) points" + (smallest.isFinite ? "" : " (every output there overflowed)"))
    }

    /// The fitted crossing per n and how far it moves across n.
    var transitionClaim: ClaimResult {
        let claim = "The transition (error crossing \(NumberText.short(Self.largeError))) sits at one B/√ln n: largest / smallest crossing over n ≤ 2"
        let prediction = Prediction.atMost(2)
        let crossings = crossingsByLength
        let text = crossings.map { "n = \($0.n): \(NumberText.short($0.ratio))" }.joined(separator: "; ")
        guard crossings.count >= 2 else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "needs a crossing at two n; found: \(text.isEmpty ? "none" : text)")
        }
        let ratios = crossings.map(\.ratio)
        let spread = ratios.max()! / ratios.min()!
        return ClaimResult(claim: claim, prediction: prediction, measured: spread, interval: spread...spread,
                           note: "fitted B/√ln n at the crossing: \(text)")
    }

    /// Per n, the B/√ln n where the error first reaches `largeError`, interpolated linearly in
    /// (log ratio, log error) between the last point below and the first at or above it.
    var crossingsByLength: [(n: Int, ratio: Double)] {
        configuration.lengths.compactMap { n in
            let series = results.filter { $0.point.n == n }.sorted { $0.point.ratio < $1.point.ratio }
            guard let index = series.firstIndex(where: { $0.values.error >= Self.largeError }) else { return nil }
            guard index > 0 else { return (n, series[index].point.ratio) }
            let (low, high) = (series[index - 1], series[index])
            let (x0, x1) = (log(low.point.ratio), log(high.point.ratio))
            let (y0, y1) = (log(max(low.values.error, 1e-30)), log(high.values.error))
            let target = log(Self.largeError)
            let x = y1 > y0 && y1.isFinite ? x0 + (target - y0) / (y1 - y0) * (x1 - x0) : x1
            return (n, exp(x))
        }
    }

    /// Max error vs B/√ln n per n (points with non-finite outputs left out), with each n's 1/n level.
    var errorPlot: LogLogPlot {
        var series = configuration.lengths.map { n in
            PlotSeries(name: "n = \(n)", points: results.filter { $0.point.n == n }.sorted { $0.point.ratio < $1.point.ratio }
                .filter { $0.values.error.isFinite }.map { PlotPoint(x: $0.point.ratio, y: $0.values.error) })
        }
        let ratios = configuration.ratios.sorted()
        series += configuration.lengths.map { n in
            PlotSeries(name: "1/n, n = \(n)", points: [ratios.first!, ratios.last!].map { PlotPoint(x: $0, y: 1 / Double(n)) })
        }
        return LogLogPlot(title: "Polynomial method vs exact softmax: max error vs B/√ln n", xLabel: "B/√ln n",
                          yLabel: "max |error|", series: series)
    }

    /// The degree the algorithm used vs B/√ln n per n.
    var degreePlot: LogLogPlot {
        LogLogPlot(
            title: "Degree g used (capped at r ≤ \(configuration.maximumFeatures) features)", xLabel: "B/√ln n", yLabel: "degree g",
            series: configuration.lengths.map { n in
                PlotSeries(name: "n = \(n)", points: results.filter { $0.point.n == n }.sorted { $0.point.ratio < $1.point.ratio }
                    .map { PlotPoint(x: $0.point.ratio, y: Double($0.values.degree)) })
            },
            yScale: .linear)
    }

    var summary: String {
        let c = configuration
        return """
            Alman & Song's bounded-entry attention: Q, K, V uniform in [−B, B] with B = (B/√ln n)·√(ln n), d = ⌈log₂ n⌉, \
            scale 1/d (scores in [−B², B²]), n = \(c.lengths.map(String.init).joined(separator: ", ")), B/√ln n = \
            \(c.ratios.map { NumberText.short($0) }.joined(separator: ", ")). The polynomial mixer uses the Chebyshev \
            interpolant of exp on [−B², B²] of the smallest degree g with relative error ≤ 1/(4n), capped where \
            r = C(d + g, g) would pass \(c.maximumFeatures) features ("capped"); its output is compared with exact \
            softmax (flash, float32), one seeded draw per point, each timed once.
            """
    }
}
