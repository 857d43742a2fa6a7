import Foundation
import Training

/// Claims, table and plots of the `attnres` experiment from whichever points are stored. Ratios compare
/// each Attention-Residuals variant with the baseline of the same depth.
struct AttnResAnalysis {
    let configuration: AttnResConfiguration
    let results: [ExperimentResult<AttnResPoint, AttnResValues>]

    private typealias Variant = AttnResConfiguration.Variant

    private func profile(_ layers: Int, _ variant: Variant) -> DepthProfile? {
        results.first { $0.point == AttnResPoint(layers: layers, variant: variant) }?.values.profile
    }

    /// RMS of the state entering the last sub-layer over that entering the first.
    static func growth(_ profile: DepthProfile) -> Double {
        guard let first = profile.hiddenRMS.first, let last = profile.hiddenRMS.last, first > 0 else { return .nan }
        return last / first
    }

    /// Largest over smallest per-block gradient norm.
    static func spread(_ profile: DepthProfile) -> Double {
        guard let low = profile.layerGradientNorms.min(), let high = profile.layerGradientNorms.max(), low > 0 else { return .nan }
        return high / low
    }

    private var residualVariants: [Variant] { configuration.variants.filter { $0 != .baseline } }

    func analysis() -> ExperimentAnalysis {
        let rows = results.map { result -> [String] in
            let v = result.values, p = v.profile
            return [result.point.variant.rawValue, String(result.point.layers), NumberText.short(v.validationLoss, digits: 4),
                    NumberText.short(v.validationAccuracy, digits: 3), NumberText.short(v.trainLoss, digits: 4),
                    NumberText.short(p.hiddenRMS.first ?? .nan, digits: 3), NumberText.short(p.hiddenRMS.last ?? .nan, digits: 3),
                    NumberText.short(Self.growth(p), digits: 3), NumberText.short(Self.growth(v.initialProfile), digits: 3),
                    NumberText.short(Self.spread(p), digits: 3), String(v.parameters),
                    NumberText.short(v.stepsPerSecond, digits: 3), NumberText.short(v.seconds, digits: 3)]
        }
        let table = ReportTable(
            headers: ["variant", "layers", "val loss", "val accuracy", "train loss", "hidden RMS first", "hidden RMS last",
                      "last/first", "last/first at init", "grad max/min", "parameters", "steps/s", "seconds"],
            rows: rows)
        let claims = configuration.depths.flatMap { layers in
            [growthClaim(layers)] + residualVariants.flatMap { [boundClaim(layers, $0), uniformityClaim(layers, $0)] }
        }
        let plots = configuration.depths.flatMap { layers in
            [depthPlot(layers, "RMS of the state entering each sub-layer", \.hiddenRMS),
             depthPlot(layers, "RMS of each sub-layer's output", \.outputRMS),
             depthPlot(layers, "gradient norm of each block's parameters", \.layerGradientNorms, unit: "block")]
                + residualVariants.compactMap { mixingPlot(layers, $0) }
        }
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots, lists: lists)
    }

    private func growthClaim(_ layers: Int) -> ClaimResult {
        let claim = "L = \(layers): the baseline's hidden-state RMS grows with depth (last/first sub-layer input ≥ 2)"
        guard let baseline = profile(layers, .baseline) else {
            return SweepAnalysis.inconclusive(claim, .atLeast(2), note: "needs the baseline measured at L = \(layers)")
        }
        let ratio = Self.growth(baseline)
        return ClaimResult(claim: claim, prediction: .atLeast(2), measured: ratio, interval: ratio...ratio,
                           note: "after \(configuration.steps) steps; RMS \(NumberText.short(baseline.hiddenRMS.first ?? .nan, digits: 3)) → \(NumberText.short(baseline.hiddenRMS.last ?? .nan, digits: 3))")
    }

    private func boundClaim(_ layers: Int, _ variant: Variant) -> ClaimResult {
        comparison(layers, variant, quantity: "last/first", Self.growth, bound: 0.5,
                   claim: "L = \(layers): \(variant.rawValue) Attention Residuals keep the hidden-state RMS bounded (last/first ratio ≤ half the baseline's)")
    }

    private func uniformityClaim(_ layers: Int, _ variant: Variant) -> ClaimResult {
        comparison(layers, variant, quantity: "max/min over blocks", Self.spread, bound: 1,
                   claim: "L = \(layers): per-block gradient norms are more uniform with \(variant.rawValue) Attention Residuals (max/min ratio below the baseline's)")
    }

    /// `statistic` of `variant` over the baseline's at depth `layers`, claimed to be at most `bound`.
    private func comparison(_ layers: Int, _ variant: Variant, quantity: String, _ statistic: (DepthProfile) -> Double,
                            bound: Double, claim: String) -> ClaimResult {
        guard let own = profile(layers, variant), let baseline = profile(layers, .baseline) else {
            return SweepAnalysis.inconclusive(claim, .atMost(bound), note: "needs \(variant.rawValue) and the baseline at L = \(layers)")
        }
        let quotient = statistic(own) / statistic(baseline)
        return ClaimResult(claim: claim, prediction: .atMost(bound), measured: quotient, interval: quotient...quotient,
                           note: "\(quantity): \(variant.rawValue) \(NumberText.short(statistic(own), digits: 3)), baseline \(NumberText.short(statistic(baseline), digits: 3))")
    }

    /// One series per variant: `values` of the trained profile against the sub-layer (or block) index, from 1.
    private func depthPlot(_ layers: Int, _ title: String, _ values: KeyPath<DepthProfile, [Double]>,
                           unit: String = "sub-layer") -> LogLogPlot {
        let series = configuration.variants.compactMap { variant in
            profile(layers, variant).map { p in
                PlotSeries(name: variant.rawValue, points: p[keyPath: values].enumerated().map { PlotPoint(x: Double($0 + 1), y: $1) })
            }
        }
        return LogLogPlot(title: "L = \(layers): \(title)", xLabel: unit, yLabel: title.components(separatedBy: " of ").first ?? title,
                          series: series, xScale: .linear, yScale: .logarithmic)
    }

    /// The α matrix as a heatmap: one row per consumer (sub-layer 2 … L, then the stack's output), one
    /// column per source (0 = embedding), mean over tokens; sources a consumer does not read are grey
    /// (α is a softmax, so every source read has α > 0).
    private func mixingPlot(_ layers: Int, _ variant: Variant) -> LogLogPlot? {
        guard let mixing = profile(layers, variant)?.mixing, !mixing.isEmpty else { return nil }
        let grid = HeatmapGrid(
            values: mixing.map { row in row.map { $0 > 0 ? $0 : nil } },
            rowNames: mixing.indices.map { $0 == mixing.count - 1 ? "output" : "sub-layer \($0 + 2)" },
            columnNames: (0..<(mixing.map(\.count).max() ?? 0)).map(String.init))
        return LogLogPlot(title: "L = \(layers), \(variant.rawValue): α, consumer × source (mean over tokens)",
                          xLabel: "source (0 = embedding)", yLabel: "consumer", series: [], xScale: .linear, yScale: .linear,
                          height: 560, heatmap: grid)
    }

    /// `--json` lists: per (variant, depth) each sub-layer's RMS, each block's gradient norm and every α.
    private var lists: [String: [[String: DataValue]]] {
        func key(_ point: AttnResPoint) -> [String: DataValue] {
            ["variant": .text(point.variant.rawValue), "layers": .number(Double(point.layers))]
        }
        return [
            "sublayers": results.flatMap { result in
                zip(result.values.profile.hiddenRMS, result.values.profile.outputRMS).enumerated().map { index, pair in
                    key(result.point).merging(["sublayer": .number(Double(index + 1)), "hidden_rms": .number(pair.0),
                                               "output_rms": .number(pair.1)]) { $1 }
                }
            },
            "blocks": results.flatMap { result in
                result.values.profile.layerGradientNorms.enumerated().map { index, norm in
                    key(result.point).merging(["block": .number(Double(index)), "gradient_norm": .number(norm)]) { $1 }
                }
            },
            "alpha": results.flatMap { result in
                result.values.profile.mixing.enumerated().flatMap { row, values in
                    values.enumerated().filter { $0.element > 0 }.map { source, alpha in
                        key(result.point).merging(["consumer": .number(Double(row + 2)), "source": .number(Double(source)),
                                                   "alpha": .number(alpha)]) { $1 }
                    }
                }
            },
        ]
    }

    private var summary: String {
        let c = configuration
        return """
            Character-level language models on the shipped text (windows of \(c.context) bytes) with \
            \(c.depths.map(String.init).joined(separator: " and ")) pre-norm blocks (attention with \(c.heads) heads + MLP, \
            width \(c.width)), combined by the standard residual stream (baseline), full Attention Residuals, or \
            block Attention Residuals with \(c.blocks) blocks; AdamW with warm-up and cosine decay, \(c.steps) steps \
            of batch \(c.batchSize) at a peak learning rate of \(NumberText.short(Double(c.learningRate))), \
            \(c.settings.threads) thread(s). After training, one batch of training windows measures the RMS of the \
            state entering each sub-layer (the stream x_l, or the mix h_l) and of what each sub-layer outputs, the \
            gradient norm of each block's parameters, and α averaged over tokens. The validation set is the \
            text's last 10% (a few windows), so validation losses are noisy.
            """
    }
}
