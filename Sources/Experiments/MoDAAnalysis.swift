import Foundation
import Training

/// Claims, table and plots of the `moda` experiment from whichever points are stored. The depth-key
/// model of the claims is the paper's (attention + MLP K/V) when it was run, else attention K/V only.
struct MoDAAnalysis {
    let configuration: MoDAConfiguration
    let results: [ExperimentResult<MoDAPoint, MoDAValues>]

    /// The paper's 48-layer validation losses (Table 6): baseline → MoDA.
    static let paperGains: [NormPlacement: (baseline: Double, moda: Double)] = [.post: (3.4062, 3.3484), .pre: (3.3800, 3.3656)]

    private var byPoint: [MoDAPoint: MoDAValues] {
        Dictionary(results.map { ($0.point, $0.values) }, uniquingKeysWith: { first, _ in first })
    }

    private var depthVariant: MoDAVariant {
        configuration.variants.contains(.depthKeysFeedForward) ? .depthKeysFeedForward : .depthKeys
    }

    func analysis() -> ExperimentAnalysis {
        let values = byPoint
        let rows = results.map { result -> [String] in
            let (p, v) = (result.point, result.values)
            return [String(p.layers), p.norm.rawValue, p.variant.rawValue, NumberText.short(v.validationLoss, digits: 4),
                    NumberText.short(v.trainLoss, digits: 4), v.meanDepthMass.map { NumberText.short($0, digits: 3) } ?? "–",
                    String(v.parameters), NumberText.short(v.stepsPerSecond, digits: 3), NumberText.short(v.seconds, digits: 3)]
        }
        let table = ReportTable(
            headers: ["layers", "norm", "variant", "validation loss", "train loss", "depth mass", "parameters", "steps/s",
                      "seconds"],
            rows: rows)
        let claims = configuration.layers.flatMap { layers in
            configuration.norms.map { gainClaim(values, layers: layers, norm: $0) } + [postOverPreClaim(values, layers: layers)]
        }
        return ExperimentAnalysis(summary: summary, claims: claims, table: table,
                                  plots: [lossPlot(values)] + depthMassPlots(values))
    }

    /// Baseline loss − depth-key loss at one depth and norm; nil unless both were measured.
    private func gain(_ values: [MoDAPoint: MoDAValues], layers: Int, norm: NormPlacement) -> Double? {
        guard let base = values[MoDAPoint(layers: layers, norm: norm, variant: .baseline)],
              let moda = values[MoDAPoint(layers: layers, norm: norm, variant: depthVariant)] else { return nil }
        return base.validationLoss - moda.validationLoss
    }

    private func gainClaim(_ values: [MoDAPoint: MoDAValues], layers: Int, norm: NormPlacement) -> ClaimResult {
        let claim = "\(layers) layers, \(norm.rawValue)-norm: \(depthVariant.rawValue) lowers the validation loss (baseline − MoDA > 0)"
        let paper = Self.paperGains[norm].map {
            "paper (48 layers): \(NumberText.short($0.baseline, digits: 5)) → \(NumberText.short($0.moda, digits: 5))"
        } ?? ""
        guard let measured = gain(values, layers: layers, norm: norm) else {
            return SweepAnalysis.inconclusive(claim, .atLeast(0), note: "needs the baseline and \(depthVariant.rawValue) measured")
        }
        return ClaimResult(claim: claim, prediction: .atLeast(0), measured: measured, interval: measured...measured,
                           note: "one seed; \(paper)")
    }

    private func postOverPreClaim(_ values: [MoDAPoint: MoDAValues], layers: Int) -> ClaimResult {
        let claim = "\(layers) layers: depth keys gain more under post-norm than pre-norm (post gain − pre gain > 0)"
        guard let post = gain(values, layers: layers, norm: .post), let pre = gain(values, layers: layers, norm: .pre) else {
            return SweepAnalysis.inconclusive(claim, .atLeast(0), note: "needs both norms' baseline and depth-key runs")
        }
        let measured = post - pre
        return ClaimResult(claim: claim, prediction: .atLeast(0), measured: measured, interval: measured...measured,
                           note: "one seed; gains post \(NumberText.short(post, digits: 3)), pre \(NumberText.short(pre, digits: 3)); "
                               + "paper (48 layers): 0.0578 post, 0.0144 pre")
    }

    /// Validation loss against depth, one series per (norm, variant).
    private func lossPlot(_ values: [MoDAPoint: MoDAValues]) -> LogLogPlot {
        let series = configuration.norms.flatMap { norm in
            configuration.variants.map { variant in
                PlotSeries(name: "\(norm.rawValue)-norm \(variant.rawValue)", points: configuration.layers.compactMap { layers in
                    values[MoDAPoint(layers: layers, norm: norm, variant: variant)].map {
                        PlotPoint(x: Double(layers), y: $0.validationLoss)
                    }
                })
            }
        }
        return LogLogPlot(title: "Character LM: validation loss vs depth", xLabel: "layers", yLabel: "validation loss (nats)",
                          series: series, xScale: .linear, yScale: .linear)
    }

    /// Per depth: the share of attention probability on depth slots against the layer index, one series
    /// per (norm, depth-key variant).
    private func depthMassPlots(_ values: [MoDAPoint: MoDAValues]) -> [LogLogPlot] {
        configuration.layers.map { layers in
            let series = configuration.norms.flatMap { norm in
                configuration.variants.filter { $0 != .baseline }.map { variant in
                    let mass = values[MoDAPoint(layers: layers, norm: norm, variant: variant)]?.depthMass ?? []
                    return PlotSeries(name: "\(norm.rawValue)-norm \(variant.rawValue)",
                                      points: mass.enumerated().dropFirst().map { PlotPoint(x: Double($0.offset), y: $0.element) })
                }
            }
            return LogLogPlot(title: "\(layers) layers: attention probability on depth slots", xLabel: "layer",
                              yLabel: "share of softmax mass on depth slots", series: series, xScale: .linear, yScale: .linear)
        }
    }

    private var summary: String {
        let c = configuration
        return """
            Character-level language models on the shipped text (context \(c.context) bytes) with \
            \(c.layers.map(String.init).joined(separator: ", ")) layers of width \(c.width), \(c.heads) heads, MLP hidden \
            \(4 * c.width), learned positions, \(c.norms.map(\.rawValue).joined(separator: " and "))-norm; variants \
            \(c.variants.map(\.rawValue).joined(separator: ", ")) (MoDA depth keys: each attention layer's queries also \
            attend, in the same softmax, to the K/V that earlier layers made for their own token). AdamW (weight decay \
            0.01), warm-up and cosine decay to \(NumberText.short(Double(c.learningRate))), \(c.steps) steps of batch \
            \(c.batchSize), seed \(c.seed), \(c.settings.threads) thread(s). Depth mass: mean softmax probability on the \
            depth slots over one validation batch after training, averaged over layers 2…L.
            """
    }
}
