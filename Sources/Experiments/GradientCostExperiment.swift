import Attention
import Foundation
import Kernels
import Models

/// What a `gradient-cost` point differentiates.
public enum GradientLevel: String, Codable, Sendable, CaseIterable {
    /// One exact attention call (flash forward, flash backward) of H heads.
    case attention
    /// The paper's transformer (`PaperTransformer`: L layers of X + Σ_h Att_h(X), embedding m, key width
    /// m, no MLP, random weights): gradients to the input and every weight.
    case transformer
}

/// The sizes of the `gradient-cost` sweep.
public struct GradientCostConfiguration: Codable, Sendable, Equatable {
    /// N values.
    public var lengths: [Int]
    /// m: head dimension.
    public var headDimension: Int
    /// H: heads per call (attention) or per layer (transformer).
    public var heads: Int
    /// L values of the transformer level (the attention level is one call).
    public var layers: [Int]
    public var levels: [GradientLevel]
    public var settings: MeasurementSettings

    /// Defaults: N = 256 … 8192 doubling, m = 64, H = 1, attention and transformer with L = 1 and 2.
    /// About two minutes on 2 cores.
    public init(lengths: [Int] = [256, 512, 1024, 2048, 4096, 8192], headDimension: Int = 64, heads: Int = 1,
                layers: [Int] = [1, 2], levels: [GradientLevel] = GradientLevel.allCases, settings: MeasurementSettings = MeasurementSettings()) {
        self.lengths = lengths
        self.headDimension = headDimension
        self.heads = heads
        self.layers = layers
        self.levels = levels
        self.settings = settings
    }
}

public struct GradientCostPoint: Codable, Sendable, Hashable {
    public var level: GradientLevel
    public var n: Int
    /// L: 1 for the attention level.
    public var layers: Int
}

/// Forward and backward timings of one point and their ratio.
public struct GradientCostValues: Codable, Sendable, Equatable {
    public var forward: MeasurementValues
    /// The backward pass alone (given the forward's saved results).
    public var backward: MeasurementValues
    /// backward median / forward median.
    public var ratio: Double
    /// Backward FLOPs / forward FLOPs of the algorithm: 2.5 for attention (five matrix products per tile
    /// against two); for the transformer 2.5 on its attention FLOPs and 2 on its projections (each
    /// product's gradient needs two products), weighted by their forward FLOPs.
    public var flopRatio: Double

    /// 95% interval of `ratio`, from the two medians' relative intervals combined in quadrature.
    public var ratioInterval: ClosedRange<Double> {
        func relativeHalfWidth(_ values: MeasurementValues) -> Double {
            let range = SweepAnalysis.interval(values)
            return (range.upperBound - range.lowerBound) / 2 / values.median
        }
        let spread = (pow(relativeHalfWidth(forward), 2) + pow(relativeHalfWidth(backward), 2)).squareRoot()
        return (ratio * max(0, 1 - spread))...(ratio * (1 + spread))
    }
}

/// The Baur–Strassen consequence: the gradient costs a constant factor of the forward pass, at every N.
/// Times forward and backward passes across N (and L for the transformer); claims the backward/forward
/// ratio does not grow with N (exponent 0 ± 0.1) and sits near the FLOP ratio (± 1).
public struct GradientCostExperiment: Experiment {
    public static let name = "gradient-cost"
    public static let title = "Gradient cost: backward/forward time ratio"

    public let configuration: GradientCostConfiguration

    public init(configuration: GradientCostConfiguration) throws(ExperimentError) {
        try OptionCheck.sizes(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.distinct(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.headDimensions([configuration.headDimension], "head dimension (m)")
        try OptionCheck.size(configuration.heads, "heads (H)")
        try OptionCheck.sizes(configuration.layers, "layers (L)")
        try OptionCheck.distinct(configuration.layers, "layers (L)")
        guard !configuration.levels.isEmpty else { throw .invalidOption("levels needs at least one value") }
        try OptionCheck.distinct(configuration.levels, "levels")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    /// Level by level; the transformer's L by L; N growing.
    public var points: [GradientCostPoint] {
        configuration.levels.flatMap { level in
            (level == .attention ? [1] : configuration.layers).flatMap { layers in
                configuration.lengths.map { GradientCostPoint(level: level, n: $0, layers: layers) }
            }
        }
    }

    public func describe(_ point: GradientCostPoint) -> String {
        point.level == .attention ? "attention N=\(point.n)" : "transformer L=\(point.layers) N=\(point.n)"
    }

    public func measure(_ point: GradientCostPoint, peakGFLOPS: Double?) throws -> GradientCostValues {
        switch point.level {
        case .attention: try measureAttention(point, peakGFLOPS: peakGFLOPS)
        case .transformer: try measureTransformer(point, peakGFLOPS: peakGFLOPS)
        }
    }

    private func measureAttention(_ point: GradientCostPoint, peakGFLOPS: Double?) throws -> GradientCostValues {
        let inputs = AttentionInputs(heads: configuration.heads, length: point.n, width: configuration.headDimension)
        let gradOutput = Tensor<Float>.normal(inputs.queries.shape, seed: 9)
        let threads = configuration.settings.threads, timing = configuration.settings.timing
        var saved: AttentionResult?
        let forward = try Experiments.measure(timing) {
            saved = try scaledDotProductAttention(queries: inputs.queries, keys: inputs.keys, values: inputs.values, threads: threads)
        }
        guard let saved else { preconditionFailure("measure runs its body at least once") }
        let backward = try Experiments.measure(timing) {
            let gradients = try scaledDotProductAttentionBackward(
                queries: inputs.queries, keys: inputs.keys, values: inputs.values, forward: saved,
                gradOutput: gradOutput, threads: threads)
            blackHole(gradients.queries.withUnsafeBufferPointer { $0[0] })
        }
        let flops = inputs.shape.forwardFLOPs(causal: false)
        let flopRatio = 2.5
        return GradientCostValues(
            forward: MeasurementValues(forward, flops: flops, peakGFLOPS: peakGFLOPS),
            backward: MeasurementValues(backward, flops: flopRatio * flops, peakGFLOPS: peakGFLOPS),
            ratio: backward.median / forward.median, flopRatio: flopRatio)
    }

    private func measureTransformer(_ point: GradientCostPoint, peakGFLOPS: Double?) throws -> GradientCostValues {
        let m = configuration.headDimension, h = configuration.heads, threads = configuration.settings.threads
        let model = PaperTransformer.random(layers: point.layers, heads: h, embedding: m, keyDimension: m, mlpHidden: nil, seed: 1)
        let x = Tensor<Float>.normal([1, point.n, m], seed: 2)
        let gradOutput = Tensor<Float>.normal(x.shape, seed: 3)
        let timing = configuration.settings.timing
        var saved: PaperTransformer.Cache?
        let forward = try Experiments.measure(timing) { saved = try model.forwardWithCache(x, threads: threads).cache }
        guard let saved else { preconditionFailure("measure runs its body at least once") }
        let backward = try Experiments.measure(timing) {
            let gradients = try model.backward(cache: saved, gradOutput: gradOutput, threads: threads)
            blackHole(gradients.input.withUnsafeBufferPointer { $0[0] })
        }
        let flops = model.forwardFLOPs(batch: 1, sequence: point.n)
        let attention = Double(point.layers * h) * 2 * pow(Double(point.n), 2) * Double(2 * m)
        let flopRatio = (2.5 * attention + 2 * (flops - attention)) / flops
        return GradientCostValues(
            forward: MeasurementValues(forward, flops: flops, peakGFLOPS: peakGFLOPS),
            backward: MeasurementValues(backward, flops: flopRatio * flops, peakGFLOPS: peakGFLOPS),
            ratio: backward.median / forward.median, flopRatio: flopRatio)
    }

    public func analyse(_ results: [ExperimentResult<GradientCostPoint, GradientCostValues>]) -> ExperimentAnalysis {
        let c = configuration
        var claims: [ClaimResult] = []
        var ratioSeries: [PlotSeries] = []
        var timeSeries: [PlotSeries] = []
        let series = c.levels.flatMap { level in (level == .attention ? [1] : c.layers).map { (level, $0) } }
        for (level, layers) in series {
            let name = level == .attention ? "attention" : "transformer L=\(layers)"
            let measured = results.filter { $0.point.level == level && $0.point.layers == layers }.sorted { $0.point.n < $1.point.n }
            let sizes = measured.map { Double($0.point.n) }
            let ratios = measured.map(\.values.ratio)
            let growth = SweepAnalysis.exponentClaim(
                "\(name): the backward/forward time ratio does not grow with N (Baur–Strassen)",
                prediction: .near(value: 0, tolerance: 0.1), sizes: sizes, values: ratios,
                note: "exponent of the ratio in N")
            claims.append(growth.claim)
            claims.append(constantClaim(name, measured))
            ratioSeries.append(PlotSeries(name: name, points: measured.map { result in
                let range = result.values.ratioInterval
                return PlotPoint(x: Double(result.point.n), y: result.values.ratio, yLow: range.lowerBound, yHigh: range.upperBound)
            }))
            for (pass, key) in [("forward", \GradientCostValues.forward), ("backward", \GradientCostValues.backward)] {
                let values = measured.map { $0.values[keyPath: key] }
                timeSeries.append(PlotSeries(
                    name: "\(name) \(pass)",
                    points: zip(sizes, values).map { SweepAnalysis.plotPoint(x: $0, $1) },
                    fit: (try? PowerLawFit(sizes: sizes, values: values.map(\.median))).map(FittedLine.init)))
            }
        }
        let plots = [
            LogLogPlot(title: "Backward/forward time ratio vs N (m = \(c.headDimension), H = \(c.heads))",
                       xLabel: "sequence length N", yLabel: "backward / forward", series: ratioSeries, yScale: .linear),
            LogLogPlot(title: "Forward and backward time vs N (m = \(c.headDimension), H = \(c.heads))",
                       xLabel: "sequence length N", yLabel: "time (s)", series: timeSeries),
        ]
        let table = ReportTable(
            headers: ["Level", "L", "N", "Forward (ms)", "Backward (ms)", "Ratio", "95% interval", "FLOP ratio"],
            rows: results.map { result in
                let values = result.values, range = values.ratioInterval
                return [result.point.level.rawValue, String(result.point.layers), String(result.point.n),
                        NumberText.short(values.forward.median * 1e3, digits: 4),
                        NumberText.short(values.backward.median * 1e3, digits: 4),
                        NumberText.short(values.ratio, digits: 3),
                        "[\(NumberText.short(range.lowerBound, digits: 3)), \(NumberText.short(range.upperBound, digits: 3))]",
                        NumberText.short(values.flopRatio)]
            })
        let summary = """
            Median time of the forward pass and of the backward pass (given the forward's saved results) for \
            N in \(c.lengths.map(String.init).joined(separator: ", ")) (m = \(c.headDimension), H = \(c.heads), fp32, \
            \(c.settings.threads) threads): one exact attention call (gradients to Q, K, V), and the paper's \
            transformer with L in \(c.layers.map(String.init).joined(separator: ", ")) (gradients to the input and \
            every weight). By the Baur–Strassen theorem all partial derivatives cost a constant times the \
            function, so the ratio should stay bounded as N and L grow. Attention's backward does 2.5× its \
            forward FLOPs; the transformer's FLOP ratio is in the table.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }

    /// "the ratio is a constant near the FLOP ratio": the mean ratio over N with its Student-t interval.
    private func constantClaim(_ name: String,
                               _ measured: [ExperimentResult<GradientCostPoint, GradientCostValues>]) -> ClaimResult {
        let claim = "\(name): backward costs a constant factor of the forward pass, near the FLOP ratio"
        let flopRatio = measured.first?.values.flopRatio ?? 2.5
        let prediction = Prediction.near(value: flopRatio, tolerance: 1)
        let ratios = measured.map(\.values.ratio)
        guard ratios.count >= 2 else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "needs at least 2 measured points, have \(ratios.count)")
        }
        let mean = Statistics.mean(ratios)
        let t = StudentT.quantile(0.975, degreesOfFreedom: Double(ratios.count - 1))
        let half = t * Statistics.standardDeviation(ratios) / Double(ratios.count).squareRoot()
        let note = "mean over \(ratios.count) values of N, ratios \(NumberText.short(ratios.min()!))…\(NumberText.short(ratios.max()!)); FLOP ratio \(NumberText.short(flopRatio))"
        return ClaimResult(claim: claim, prediction: prediction, measured: mean, interval: (mean - half)...(mean + half), note: note)
    }
}
