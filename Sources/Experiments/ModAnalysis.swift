import Foundation

/// Claims, table and plots of the `mod` experiment from whichever points are stored.
struct ModAnalysis {
    let configuration: ModConfiguration
    let results: [ExperimentResult<ModPoint, ModValues>]

    private func trained(_ task: String, _ variant: ModVariant) -> ModValues? {
        results.first { $0.point.kind == .train && $0.point.task == task && $0.point.variant == variant }?.values
    }

    private func forward(_ variant: ModVariant) -> ModValues? {
        results.first { $0.point.kind == .forward && $0.point.variant == variant }?.values
    }

    private var attention: [ExperimentResult<ModPoint, ModValues>] {
        results.filter { $0.point.kind == .attention }.sorted { $0.point.length < $1.point.length }
    }

    func analysis() -> ExperimentAnalysis {
        let claims = costClaims + configuration.tasks.flatMap { [isoFLOPClaim($0), randomClaim($0)] } + [attentionClaim]
        return ExperimentAnalysis(summary: summary, claims: claims, table: table,
                                  plots: configuration.tasks.map(lossPlot) + [attentionPlot])
    }

    /// MoD's forward FLOPs and time over the baseline's, on the timing model.
    private var costClaims: [ClaimResult] {
        let c = configuration
        let shape = "N = \(c.timingLength), L = \(c.timingLayers), width \(c.timingWidth)"
        let flopsClaim = "MoD's forward pass costs ≤ 0.6× the baseline's FLOPs at equal depth (\(shape))"
        let timeClaim = "MoD's forward pass takes ≤ 0.6× the baseline's time at equal depth (\(shape))"
        guard let base = forward(.baseline), let routed = forward(.learned) else {
            return [SweepAnalysis.inconclusive(flopsClaim, .atMost(0.6), note: "needs both forward points"),
                    SweepAnalysis.inconclusive(timeClaim, .atMost(0.6), note: "needs both forward points")]
        }
        let flops = Double(routed.forwardFLOPs) / Double(base.forwardFLOPs)
        let time = routed.seconds / base.seconds
        return [
            ClaimResult(claim: flopsClaim, prediction: .atMost(0.6), measured: flops, interval: flops...flops,
                        note: "exact matrix-product count: \(routed.forwardFLOPs) vs \(base.forwardFLOPs) per sequence"),
            ClaimResult(claim: timeClaim, prediction: .atMost(0.6), measured: time, interval: time...time,
                        note: "median of the timed calls, one thread: \(NumberText.short(routed.seconds, digits: 3)) s vs \(NumberText.short(base.seconds, digits: 3)) s"),
        ]
    }

    /// MoD's validation loss relative to the isoFLOP baseline's, minus 1.
    private func isoFLOPClaim(_ task: String) -> ClaimResult {
        let claim = "\(task): MoD's validation loss is within 2% of the isoFLOP baseline's (relative excess)"
        guard let base = trained(task, .baseline)?.validationLoss, let routed = trained(task, .learned)?.validationLoss else {
            return SweepAnalysis.inconclusive(claim, .atMost(0.02), note: "needs the baseline and learned runs")
        }
        let excess = routed / base - 1
        return ClaimResult(claim: claim, prediction: .atMost(0.02), measured: excess, interval: excess...excess,
                           note: "loss \(NumberText.short(routed, digits: 4)) vs \(NumberText.short(base, digits: 4))")
    }

    /// Learned routing's validation loss minus random routing's.
    private func randomClaim(_ task: String) -> ClaimResult {
        let claim = "\(task): learned routing beats random routing (loss difference < 0)"
        guard let learned = trained(task, .learned)?.validationLoss, let random = trained(task, .random)?.validationLoss else {
            return SweepAnalysis.inconclusive(claim, .atMost(0), note: "needs the learned and random runs")
        }
        let difference = learned - random
        return ClaimResult(claim: claim, prediction: .atMost(0), measured: difference, interval: difference...difference,
                           note: "loss \(NumberText.short(learned, digits: 4)) vs \(NumberText.short(random, digits: 4))")
    }

    /// The exponent of routed attention time against N (k ∝ N, so (C·N)² predicts 2).
    private var attentionClaim: ClaimResult {
        let claim = "a routed block's attention time grows as (C·N)² (exponent in N)"
        let points = attention
        guard points.count >= 3,
              let fit = try? PowerLawFit(sizes: points.map { Double($0.point.length) }, values: points.map(\.values.seconds))
        else {
            return SweepAnalysis.inconclusive(claim, .near(value: 2, tolerance: 0.25), note: "needs ≥ 3 attention lengths")
        }
        return ClaimResult(claim: claim, prediction: .near(value: 2, tolerance: 0.25), fit: fit,
                           note: "\(points.count) lengths, k = ceil(\(NumberText.short(configuration.capacity))·N)")
    }

    private var table: ReportTable {
        func text(_ value: Double?, _ digits: Int = 4) -> String { value.map { NumberText.short($0, digits: digits) } ?? "–" }
        let rows = results.map { result -> [String] in
            let (p, v) = (result.point, result.values)
            return [p.kind.rawValue, p.task ?? "–", p.variant?.rawValue ?? "–", String(p.length), v.steps.map(String.init) ?? "–",
                    String(v.forwardFLOPs), text(v.trainingFLOPs, 3), text(v.validationLoss), text(v.validationMetric, 3),
                    text(v.causalValidationLoss), text(v.predictorAccuracy, 3), text(v.seconds, 3)]
        }
        return ReportTable(headers: ["kind", "task", "variant", "N", "steps", "forward FLOPs", "training FLOPs",
                                     "validation loss", "metric", "causal loss", "predictor accuracy", "seconds"],
                           rows: rows)
    }

    /// Validation loss against training FLOPs spent, one series per variant.
    private func lossPlot(_ task: String) -> LogLogPlot {
        let series = ModVariant.allCases.compactMap { variant -> PlotSeries? in
            guard let values = trained(task, variant), let steps = values.steps, let total = values.trainingFLOPs else { return nil }
            return PlotSeries(name: variant.rawValue, points: values.curve.map {
                PlotPoint(x: total * Double($0.step) / Double(max(1, steps)), y: $0.validationLoss)
            })
        }
        return LogLogPlot(title: "\(task): validation loss vs training FLOPs", xLabel: "training FLOPs",
                          yLabel: "validation loss", series: series, yScale: .linear)
    }

    private var attentionPlot: LogLogPlot {
        let points = attention.map { PlotPoint(x: Double($0.point.length), y: $0.values.seconds) }
        let fit = try? PowerLawFit(sizes: points.map(\.x), values: points.map(\.y))
        return LogLogPlot(title: "Routed-block causal attention time vs N (k = ceil(C·N) tokens)", xLabel: "N",
                          yLabel: "seconds", series: [PlotSeries(name: "routed attention", points: points,
                                                                 fit: points.count >= 3 ? fit.map(FittedLine.init) : nil)])
    }

    private var summary: String {
        let c = configuration
        return """
            Mixture-of-Depths at capacity \(NumberText.short(c.capacity)) (every \(c.every)th block routed; router \
            r = wᵀx, top-k per sequence, x + r·f on the picked tokens) against the standard stack and random routing \
            at the same capacity: \(c.layers)-block pre-norm models of width \(c.width) (\(c.heads) heads, MLP \
            \(4 * c.width)) on \(c.tasks.joined(separator: " and ")) (text context \(c.textContext); MQAR N = \
            \(c.mqarLength), \(c.mqarPairs) pairs, vocabulary \(c.mqarVocabulary)), batch \(c.batchSize), AdamW at \
            \(NumberText.short(Double(c.learningRate))). The routed models run \(c.routedSteps) steps; the baseline \
            runs the steps of equal total training FLOPs (3 × forward FLOPs × batch × steps), so it takes fewer. \
            The learned variant trains the causal predictor; "causal loss" evaluates with it picking the tokens \
            (probability > 0.5, at most k per sequence). Forward times: one sequence, one thread; attention times: \
            \(c.settings.threads) thread(s).
            """
    }
}
