import Attention
import Foundation
import Kernels

/// How the L·H heads of a `direct-sum` point are computed.
public enum DirectSumMode: String, Codable, Sendable, CaseIterable {
    /// One attention call with H·L heads.
    case fused
    /// H·L attention calls of one head each.
    case separate
    /// L calls of one head H times as wide (width H·m; only where H·m ≤ 256).
    case wide
}

/// The sizes of the `direct-sum` sweep.
public struct DirectSumConfiguration: Codable, Sendable, Equatable {
    /// N of every head.
    public var length: Int
    /// m: width of one head.
    public var headDimension: Int
    /// H values; every H is combined with every L.
    public var heads: [Int]
    /// L values.
    public var layers: [Int]
    public var modes: [DirectSumMode]
    public var settings: MeasurementSettings

    /// Defaults: N = 4096, m = 32, H and L in {1, 2, 4, 8} (so H·L from 1 to 64), all three modes. At
    /// N = 4096 a single head already keeps both cores busy, so H·L = 1 is not penalised by idle threads.
    /// About a minute on 2 cores.
    public init(length: Int = 4096, headDimension: Int = 32, heads: [Int] = [1, 2, 4, 8], layers: [Int] = [1, 2, 4, 8],
                modes: [DirectSumMode] = DirectSumMode.allCases, settings: MeasurementSettings = MeasurementSettings()) {
        self.length = length
        self.headDimension = headDimension
        self.heads = heads
        self.layers = layers
        self.modes = modes
        self.settings = settings
    }
}

public struct DirectSumPoint: Codable, Sendable, Hashable {
    public var mode: DirectSumMode
    public var heads: Int
    public var layers: Int

    /// H·L.
    public var headCount: Int { heads * layers }
}

/// The direct-sum question: is computing L·H heads together cheaper than computing them one by one?
/// Times L·H heads fused into one call, as L·H separate calls, and as L heads of H× the width; the
/// claim (fused and separate) is that time per head stays flat (the fitted trend within ±20%) as H·L
/// grows — no saving from computing together.
public struct DirectSumExperiment: Experiment {
    public static let name = "direct-sum"
    public static let title = "Direct sum: time per head as H and L grow"
    /// Largest allowed change of the fitted time per head across the H·L range, as a fraction.
    public static let flatnessTolerance = 0.2

    public let configuration: DirectSumConfiguration

    public init(configuration: DirectSumConfiguration) throws(ExperimentError) {
        try OptionCheck.size(configuration.length, "sequence length (N)")
        try OptionCheck.headDimensions([configuration.headDimension], "head dimension (m)")
        try OptionCheck.sizes(configuration.heads, "heads (H)")
        try OptionCheck.distinct(configuration.heads, "heads (H)")
        try OptionCheck.sizes(configuration.layers, "layers (L)")
        try OptionCheck.distinct(configuration.layers, "layers (L)")
        guard !configuration.modes.isEmpty else { throw .invalidOption("modes needs at least one of fused, separate, wide") }
        try OptionCheck.distinct(configuration.modes, "modes")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    /// Mode by mode, H by H, L by L; wide points whose width H·m exceeds 256 are left out.
    public var points: [DirectSumPoint] {
        configuration.modes.flatMap { mode in
            configuration.heads.flatMap { heads in
                configuration.layers.map { DirectSumPoint(mode: mode, heads: heads, layers: $0) }
            }
        }.filter { $0.mode != .wide || $0.heads * configuration.headDimension <= 256 }
    }

    public func describe(_ point: DirectSumPoint) -> String { "\(point.mode) H=\(point.heads) L=\(point.layers)" }

    public func measure(_ point: DirectSumPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        let n = configuration.length, m = configuration.headDimension, threads = configuration.settings.threads
        let calls: [AttentionInputs]
        switch point.mode {
        case .fused: calls = [AttentionInputs(heads: point.headCount, length: n, width: m)]
        case .separate:
            calls = (0..<point.headCount).map { AttentionInputs(heads: 1, length: n, width: m, seed: UInt64(3 * $0 + 1)) }
        case .wide:
            calls = (0..<point.layers).map { AttentionInputs(heads: 1, length: n, width: point.heads * m, seed: UInt64(3 * $0 + 1)) }
        }
        let sample = try Experiments.measure(configuration.settings.timing) {
            for call in calls { try call.forward(.flash, threads: threads) }
        }
        let flops = calls.reduce(0) { $0 + $1.shape.forwardFLOPs(causal: false) }
        return MeasurementValues(sample, flops: flops, peakGFLOPS: peakGFLOPS)
    }

    public func analyse(_ results: [ExperimentResult<DirectSumPoint, MeasurementValues>]) -> ExperimentAnalysis {
        let c = configuration
        var claims: [ClaimResult] = []
        var series: [PlotSeries] = []
        for mode in c.modes {
            let measured = results.filter { $0.point.mode == mode }
                .sorted { ($0.point.headCount, $0.point.heads) < ($1.point.headCount, $1.point.heads) }
            let flatness = flatnessClaim(mode, measured)
            // One head H× as wide shares its exponentials among H "heads": shown for comparison, not a claim.
            if mode != .wide { claims.append(flatness.claim) }
            series.append(PlotSeries(
                name: mode.rawValue,
                points: measured.map { SweepAnalysis.plotPoint(x: Double($0.point.headCount), $0.values, divisor: Double($0.point.headCount)) },
                fit: flatness.fit.map(FittedLine.init)))
        }
        let plot = LogLogPlot(
            title: "Time per head vs number of heads H·L (N = \(c.length), m = \(c.headDimension))",
            xLabel: "heads H·L", yLabel: "time per head (s)", series: series)
        let table = ReportTable(
            headers: ["Mode", "H", "L", "H·L", "Per head (ms)", "Min per head (ms)", "CV", "GFLOP/s", "% of peak"],
            rows: results.map { result in
                [result.point.mode.rawValue, String(result.point.heads), String(result.point.layers),
                 String(result.point.headCount)]
                    + SweepAnalysis.timingCells(result.values, divisor: Double(result.point.headCount))
                    + SweepAnalysis.rateCells(result.values)
            })
        let summary = """
            Forward time of L·H exact attention heads (N = \(c.length), m = \(c.headDimension), fp32, \
            \(c.settings.threads) threads) for H in \(c.heads.map(String.init).joined(separator: ", ")) and L in \
            \(c.layers.map(String.init).joined(separator: ", ")), divided by H·L. fused: one call with H·L heads; \
            separate: H·L calls of one head; wide: L calls of one head of width H·m (points with H·m > 256 \
            are left out). A flat time per head means computing heads together saves nothing, as the \
            direct-sum theorem says. Each claim fits time per head ≈ c·(H·L)^k over all points of a mode and asks \
            for |k| ≤ ln 1.2 / ln(range of H·L) (0.044 for 1…64): the fitted trend stays within ±20%. The wide \
            mode, whose heads share one softmax, is shown for comparison only.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: [plot])
    }

    /// "time per head is flat": the exponent k of time per head ≈ c·(H·L)^k, which must keep the fitted
    /// trend within ±20% across the measured H·L range: |k| ≤ ln 1.2 / ln(largest H·L / smallest).
    /// Fitting all points averages out the noise of single points; the note gives the largest deviation.
    private func flatnessClaim(_ mode: DirectSumMode,
                               _ measured: [ExperimentResult<DirectSumPoint, MeasurementValues>]) -> (claim: ClaimResult, fit: PowerLawFit?) {
        let counts = measured.map { Double($0.point.headCount) }
        let perHead = measured.map { $0.values.median / Double($0.point.headCount) }
        let span = (counts.max() ?? 1) / (counts.min() ?? 1)
        let tolerance = span > 1 ? log(1 + Self.flatnessTolerance) / log(span) : 0
        let center = Statistics.median(perHead)
        let largest = perHead.map { abs($0 / center - 1) }.max() ?? .nan
        return SweepAnalysis.exponentClaim(
            "\(mode) heads: time per head stays flat as H·L grows (exponent of time per head in H·L; ±20% over the range)",
            prediction: .near(value: 0, tolerance: (tolerance * 1000).rounded() / 1000), sizes: counts, values: perHead,
            note: SweepAnalysis.joined(
                "median \(NumberText.short(center * 1e3, digits: 4)) ms per head, largest deviation \(NumberText.short(largest * 100, digits: 2))%",
                SweepAnalysis.noisyNote(measured.map(\.values))))
    }
}
