import Foundation
import Mixers

/// Claims, table and plots of `mixer-scaling` from whichever points are stored. O(points).
struct MixerScalingAnalysis {
    let configuration: MixerScalingConfiguration
    let results: [ExperimentResult<MixerScalingPoint, MeasurementValues>]

    /// Forward or backward time of one stored point.
    private enum Pass: String {
        case forward, backward

        func seconds(_ values: MeasurementValues) -> Double? {
            self == .forward ? values.median : values.metrics["backwardSeconds"]
        }
    }

    /// The points of one timed mixer, N growing.
    private func series(_ mixer: MixerName, causal: Bool) -> [ExperimentResult<MixerScalingPoint, MeasurementValues>] {
        results.filter { $0.point.mixer == mixer && $0.point.causal == causal }.sorted { $0.point.n < $1.point.n }
    }

    private var timedMixers: [(mixer: MixerName, causal: Bool)] {
        var seen: [MixerScalingPoint] = []
        for result in results where !seen.contains(where: { $0.mixer == result.point.mixer && $0.causal == result.point.causal }) {
            seen.append(result.point)
        }
        return seen.sorted { ($0.mixer == .exact ? 0 : 1, $0.label) < ($1.mixer == .exact ? 0 : 1, $1.label) }.map { ($0.mixer, $0.causal) }
    }

    func analysis() -> ExperimentAnalysis {
        let passes: [Pass] = configuration.backward ? [.forward, .backward] : [.forward]
        var claims: [ClaimResult] = []
        var plots: [LogLogPlot] = []
        for pass in passes {
            var fits: [String: (fit: PowerLawFit?, claim: ClaimResult, points: [PlotPoint])] = [:]
            for (mixer, causal) in timedMixers {
                let points = series(mixer, causal: causal).compactMap { result in
                    pass.seconds(result.values).map { PlotPoint(x: Double(result.point.n), y: $0) }
                }
                let label = MixerScalingPoint(mixer: mixer, causal: causal, n: 0).label
                let (claim, prediction) = mixer == .exact
                    ? ("\(label) \(pass.rawValue) time grows as N²", Prediction.near(value: 2, tolerance: 0.15))
                    : ("\(label) \(pass.rawValue) time grows linearly in N", Prediction.atMost(1.15))
                let fit = SweepAnalysis.exponentClaim(claim, prediction: prediction, sizes: points.map(\.x), values: points.map(\.y))
                fits[label] = (fit.fit, fit.claim, points)
            }
            for (mixer, causal) in timedMixers {
                let label = MixerScalingPoint(mixer: mixer, causal: causal, n: 0).label
                var claim = fits[label]!.claim
                let flash = fits[causal ? "exact causal" : "exact"]?.fit
                if mixer != .exact, let fit = fits[label]!.fit, let flash {
                    claim.note = SweepAnalysis.joined(claim.note, crossover(fit, flash, causal: causal))
                }
                claims.append(claim)
            }
            let plotted = timedMixers.map { MixerScalingPoint(mixer: $0.mixer, causal: $0.causal, n: 0).label }.map { label in
                PlotSeries(name: label, points: fits[label]!.points, fit: fits[label]!.fit.map(FittedLine.init))
            }
            plots.append(LogLogPlot(
                title: "Mixer \(pass.rawValue) time vs N (H = \(configuration.heads), D = \(configuration.headDimension))",
                xLabel: "sequence length N", yLabel: "\(pass.rawValue) time (s)", series: plotted))
        }
        let rows = results.sorted { ($0.point.label, $0.point.n) < ($1.point.label, $1.point.n) }.map { result in
            [result.point.label, String(result.point.n)] + SweepAnalysis.timingCells(result.values)
                + SweepAnalysis.rateCells(result.values)
                + [result.values.metrics["backwardSeconds"].map { NumberText.short($0 * 1e3, digits: 4) } ?? ""]
        }
        let table = ReportTable(headers: ["Mixer", "N", "Median (ms)", "Min (ms)", "CV", "GFLOP/s", "% of peak",
                                          "Backward (ms)"], rows: rows)
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }

    /// Where the fitted line of a mixer crosses flash's: N* = (a_mixer/a_flash)^{1/(k_flash − k_mixer)}.
    private func crossover(_ mixer: PowerLawFit, _ flash: PowerLawFit, causal: Bool) -> String {
        let flashName = causal ? "causal flash" : "flash"
        let lengths = results.map(\.point.n)
        guard let low = lengths.min(), let high = lengths.max() else { return "" }
        let range = "\(low)…\(high)"
        guard flash.exponent > mixer.exponent else { return "overtakes \(flashName): not within the range \(range) (it grows as fast)" }
        let n = pow(mixer.prefactor / flash.prefactor, 1 / (flash.exponent - mixer.exponent))
        if n < Double(low) { return "faster than \(flashName) over the whole range \(range) (fitted lines cross at N ≈ \(NumberText.short(n)))" }
        if n > Double(high) { return "overtakes \(flashName): not within the range \(range) (fitted lines cross at N ≈ \(NumberText.short(n)))" }
        return "overtakes \(flashName) at N ≈ \(NumberText.short(n, digits: 3)) (fitted lines)"
    }

    private var summary: String {
        let c = configuration
        return """
            Forward\(c.backward ? " and backward" : "") time of each mixer on N(0, 1) inputs, H = \(c.heads), \
            D = \(c.headDimension) (Mamba: X [1, N, \(c.heads * c.headDimension)], mamba_simple defaults), fp32, \
            \(c.settings.threads) thread(s), for N = \(c.lengths.map(String.init).joined(separator: ", ")); budgets \
            fixed in N: window w = \(c.window), Performer m = Linformer k = \(c.features), polynomial degree \
            \(c.degree), Nyström \(c.landmarks) landmarks. Window, GLA, RetNet and Mamba run causal and are \
            compared with causal flash; the rest non-causal. Exponents are least-squares slopes of log time on \
            log N (95% Student-t intervals); crossovers are where the fitted lines meet flash's. GFLOP/s use \
            each mixer's own FLOP count.
            """
    }
}
