import Attention
import Foundation
import Kernels

/// What a `gradient-cost` point differentiates.
public enum GradientLevel: String, Codable, Sendable, CaseIterable {
    /// One exact attention call (flash forward, flash backward) of H heads.
    case attention
}

/// The sizes of the `gradient-cost` sweep.
public struct GradientCostConfiguration: Codable, Sendable, Equatable {
    /// N values.
    public var lengths: [Int]
    /// m: head dimension.
    public var headDimension: Int
    /// H: heads per call.
    public var heads: Int
    public var levels: [GradientLevel]
    public var settings: MeasurementSettings

    /// Defaults: N = 256 … 8192 doubling, m = 64, H = 1, attention level. About half a minute on 2 cores.
    public init(lengths: [Int] = [256, 512, 1024, 2048, 4096, 8192], headDimension: Int = 64, heads: Int = 1,
                levels: [GradientLevel] = GradientLevel.allCases, settings: MeasurementSettings = MeasurementSettings()) {
        self.lengths = lengths
        self.headDimension = headDimension
        self.heads = heads
        self.levels = levels
        self.settings = settings
    }
}

public struct GradientCostPoint: Codable, Sendable, Hashable {
    public var level: GradientLevel
    public var n: Int
}

/// Forward and backward timings of one point and their ratio.
public struct GradientCostValues: Codable, Sendable, Equatable {
    public var forward: MeasurementValues
    /// The backward pass alone (given the forward's saved results).
    public var backward: MeasurementValues
    /// backward median / forward median.
    public var ratio: Double
    /// Backward FLOPs / forward FLOPs of the algorithm (2.5 for attention: five matrix products per tile
    /// against two).
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
/// Times forward and backward passes across N; claims the backward/forward ratio does not grow with N
/// (exponent 0 ± 0.1) and sits near the FLOP ratio (2.5 ± 1 for attention).
public struct GradientCostExperiment: Experiment {
    public static let name = "gradient-cost"
    public static let title = "Gradient cost: backward/forward time ratio"

    public let configuration: GradientCostConfiguration

    public init(configuration: GradientCostConfiguration) throws(ExperimentError) {
        try OptionCheck.sizes(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.distinct(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.headDimensions([configuration.headDimension], "head dimension (m)")
        try OptionCheck.size(configuration.heads, "heads (H)")
        guard !configuration.levels.isEmpty else { throw .invalidOption("levels needs at least one value") }
        try OptionCheck.distinct(configuration.levels, "levels")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    public var points: [GradientCostPoint] {
        configuration.levels.flatMap { level in configuration.lengths.map { GradientCostPoint(level: level, n: $0) } }
    }

    public func describe(_ point: GradientCostPoint) -> String { "\(point.level) N=\(point.n)" }

    public func measure(_ point: GradientCostPoint, peakGFLOPS: Double?) throws -> GradientCostValues {
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

    public func analyse(_ results: [ExperimentResult<GradientCostPoint, GradientCostValues>]) -> ExperimentAnalysis {
        let c = configuration
        var claims: [ClaimResult] = []
        var ratioSeries: [PlotSeries] = []
        var timeSeries: [PlotSeries] = []
        for level in c.levels {
            let measured = results.filter { $0.point.level == level }.sorted { $0.point.n < $1.point.n }
            let sizes = measured.map { Double($0.point.n) }
            let ratios = measured.map(\.values.ratio)
            let growth = SweepAnalysis.exponentClaim(
                "\(level): the backward/forward time ratio does not grow with N (Baur–Strassen)",
                prediction: .near(value: 0, tolerance: 0.1), sizes: sizes, values: ratios,
                note: "exponent of the ratio in N")
            claims.append(growth.claim)
            claims.append(constantClaim(level, measured))
            ratioSeries.append(PlotSeries(name: "\(level) backward/forward", points: measured.map { result in
                let range = result.values.ratioInterval
                return PlotPoint(x: Double(result.point.n), y: result.values.ratio, yLow: range.lowerBound, yHigh: range.upperBound)
            }))
            for (pass, key) in [("forward", \GradientCostValues.forward), ("backward", \GradientCostValues.backward)] {
                let values = measured.map { $0.values[keyPath: key] }
                timeSeries.append(PlotSeries(
                    name: "\(level) \(pass)",
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
            headers: ["Level", "N", "Forward (ms)", "Backward (ms)", "Ratio", "95% interval", "FLOP ratio"],
            rows: results.map { result in
                let values = result.values, range = values.ratioInterval
                return [result.point.level.rawValue, String(result.point.n),
                        NumberText.short(values.forward.median * 1e3, digits: 4),
                        NumberText.short(values.backward.median * 1e3, digits: 4),
                        NumberText.short(values.ratio, digits: 3),
                        "[\(NumberText.short(range.lowerBound, digits: 3)), \(NumberText.short(range.upperBound, digits: 3))]",
                        NumberText.short(values.flopRatio)]
            })
        let summary = """
            Median time of the forward pass and of the backward pass (given the forward's saved output and \
            log-sum-exp) for N in \(c.lengths.map(String.init).joined(separator: ", ")) (m = \(c.headDimension), \
            H = \(c.heads), fp32, \(c.settings.threads) threads). By the Baur–Strassen theorem all partial \
            derivatives cost a constant times the function, so the ratio should stay bounded as N grows; the \
            backward pass does 2.5× the forward's FLOPs.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }

    /// "the ratio is a constant near the FLOP ratio": the mean ratio over N with its Student-t interval.
    private func constantClaim(_ level: GradientLevel,
                               _ measured: [ExperimentResult<GradientCostPoint, GradientCostValues>]) -> ClaimResult {
        let claim = "\(level): backward costs a constant factor of the forward pass, near the FLOP ratio"
        let flopRatio = measured.first?.values.flopRatio ?? 2.5
        let prediction = Prediction.near(value: flopRatio, tolerance: 1)
        let ratios = measured.map(\.values.ratio)
        guard ratios.count >= 2 else {
            return ClaimResult(claim: claim, predicted: prediction.summary, measured: ratios.first ?? .nan, low: .nan,
                               high: .nan, verdict: .inconclusive, note: "needs at least 2 measured points, have \(ratios.count)")
        }
        let mean = Statistics.mean(ratios)
        let t = StudentT.quantile(0.975, degreesOfFreedom: Double(ratios.count - 1))
        let half = t * Statistics.standardDeviation(ratios) / Double(ratios.count).squareRoot()
        let note = "mean over \(ratios.count) values of N, ratios \(NumberText.short(ratios.min()!))…\(NumberText.short(ratios.max()!)); FLOP ratio \(NumberText.short(flopRatio))"
        return ClaimResult(claim: claim, prediction: prediction, measured: mean, interval: (mean - half)...(mean + half), note: note)
    }
}
