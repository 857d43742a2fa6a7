import Attention
import Foundation

/// The sizes of the `scaling` sweep.
public struct ScalingConfiguration: Codable, Sendable, Equatable {
    /// N values of the sweep in N, at head dimension `headDimension`.
    public var lengths: [Int]
    /// m (head dimension) of the N sweep.
    public var headDimension: Int
    /// m values of the sweep in m, at N = `fixedLength`.
    public var headDimensions: [Int]
    public var fixedLength: Int
    /// H: heads computed in each call.
    public var heads: Int
    /// L: calls one after another (layers).
    public var layers: Int
    public var paths: [AttentionPath]
    public var settings: MeasurementSettings

    /// Defaults: N = 3072 … 12288 (9 sizes) at m = 64, m = 16 … 256 at N = 4096, H = L = 1, both paths.
    /// Below N ≈ 3000 one head of the flash kernel does not yet run at its full rate on 2 cores (its
    /// GFLOP/s still rise with N), which would bend the fit below 2; from there on the N² term dominates.
    /// About a minute on 2 cores.
    public init(lengths: [Int] = [3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288], headDimension: Int = 64,
                headDimensions: [Int] = [16, 32, 64, 128, 256], fixedLength: Int = 4096, heads: Int = 1,
                layers: Int = 1, paths: [AttentionPath] = AttentionPath.allCases,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.lengths = lengths
        self.headDimension = headDimension
        self.headDimensions = headDimensions
        self.fixedLength = fixedLength
        self.heads = heads
        self.layers = layers
        self.paths = paths
        self.settings = settings
    }
}

/// One timed attention forward pass: `layers` calls of `heads` heads of length n and width m.
public struct ScalingPoint: Codable, Sendable, Hashable {
    public var path: AttentionPath
    public var n: Int
    public var m: Int
}

/// Time of exact attention as N grows at fixed m, H, L, and as m grows at fixed N, for the flash and
/// the materialising path. Claims: exponent 2 ± 0.15 in N (the L·H·N² cost of small embeddings), and at
/// most linear growth in m (cost Θ(N²·m); the exponentials cost N² whatever m is, so less than 1 at small m).
public struct ScalingExperiment: Experiment {
    public static let name = "scaling"
    public static let title = "Scaling of exact attention with N and m"

    public let configuration: ScalingConfiguration

    public init(configuration: ScalingConfiguration) throws(ExperimentError) {
        try OptionCheck.sizes(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.distinct(configuration.lengths, "sequence lengths (N)")
        try OptionCheck.headDimensions([configuration.headDimension], "head dimension (m)")
        try OptionCheck.headDimensions(configuration.headDimensions, "head dimensions of the m sweep")
        try OptionCheck.distinct(configuration.headDimensions, "head dimensions of the m sweep")
        try OptionCheck.size(configuration.fixedLength, "N of the m sweep")
        try OptionCheck.size(configuration.heads, "heads (H)")
        try OptionCheck.size(configuration.layers, "layers (L)")
        guard !configuration.paths.isEmpty else { throw .invalidOption("paths needs at least one of flash, naive") }
        try OptionCheck.distinct(configuration.paths, "paths")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    /// For each path: the N sweep, then the m sweep without the point the N sweep already has.
    public var points: [ScalingPoint] {
        var points: [ScalingPoint] = []
        for path in configuration.paths {
            let lengthSweep = configuration.lengths.map { ScalingPoint(path: path, n: $0, m: configuration.headDimension) }
            let widthSweep = configuration.headDimensions.map { ScalingPoint(path: path, n: configuration.fixedLength, m: $0) }
            points += lengthSweep + widthSweep.filter { !lengthSweep.contains($0) }
        }
        return points
    }

    public func describe(_ point: ScalingPoint) -> String { "\(point.path) N=\(point.n) m=\(point.m)" }

    public func measure(_ point: ScalingPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        let inputs = AttentionInputs(heads: configuration.heads, length: point.n, width: point.m)
        let threads = configuration.settings.threads
        let sample = try Experiments.measure(configuration.settings.timing) {
            for _ in 0..<configuration.layers { try inputs.forward(point.path, threads: threads) }
        }
        let flops = Double(configuration.layers) * inputs.shape.forwardFLOPs(causal: false)
        return MeasurementValues(sample, flops: flops, peakGFLOPS: peakGFLOPS)
    }

    public func analyse(_ results: [ExperimentResult<ScalingPoint, MeasurementValues>]) -> ExperimentAnalysis {
        let c = configuration
        var claims: [ClaimResult] = []
        var lengthSeries: [PlotSeries] = []
        var widthSeries: [PlotSeries] = []
        for path in c.paths {
            let byLength = results.filter { $0.point.path == path && $0.point.m == c.headDimension && c.lengths.contains($0.point.n) }
                .sorted { $0.point.n < $1.point.n }
            let byWidth = results.filter { $0.point.path == path && $0.point.n == c.fixedLength && c.headDimensions.contains($0.point.m) }
                .sorted { $0.point.m < $1.point.m }
            let lengthFit = SweepAnalysis.exponentClaim(
                "\(path) attention time grows as N² at fixed m = \(c.headDimension) (H = \(c.heads), L = \(c.layers))",
                prediction: .near(value: 2, tolerance: 0.15),
                sizes: byLength.map { Double($0.point.n) }, values: byLength.map(\.values.median),
                note: SweepAnalysis.noisyNote(byLength.map(\.values)))
            let widthFit = SweepAnalysis.exponentClaim(
                "\(path) attention time grows at most linearly in m at fixed N = \(c.fixedLength)",
                prediction: .atMost(1.15),
                sizes: byWidth.map { Double($0.point.m) }, values: byWidth.map(\.values.median),
                note: SweepAnalysis.noisyNote(byWidth.map(\.values)))
            claims += [lengthFit.claim, widthFit.claim]
            lengthSeries.append(PlotSeries(
                name: path.rawValue, points: byLength.map { SweepAnalysis.plotPoint(x: Double($0.point.n), $0.values) },
                fit: lengthFit.fit.map(FittedLine.init)))
            widthSeries.append(PlotSeries(
                name: path.rawValue, points: byWidth.map { SweepAnalysis.plotPoint(x: Double($0.point.m), $0.values) },
                fit: widthFit.fit.map(FittedLine.init)))
        }
        let plots = [
            LogLogPlot(title: "Exact attention time vs N (m = \(c.headDimension), H = \(c.heads), L = \(c.layers))",
                       xLabel: "sequence length N", yLabel: "time (s)", series: lengthSeries),
            LogLogPlot(title: "Exact attention time vs m (N = \(c.fixedLength), H = \(c.heads), L = \(c.layers))",
                       xLabel: "head dimension m", yLabel: "time (s)", series: widthSeries),
        ]
        let table = ReportTable(
            headers: ["Path", "N", "m", "Median (ms)", "Min (ms)", "CV", "GFLOP/s", "% of peak"],
            rows: results.sorted { ($0.point.path.rawValue, $0.point.m, $0.point.n) < ($1.point.path.rawValue, $1.point.m, $1.point.n) }
                .map { [$0.point.path.rawValue, String($0.point.n), String($0.point.m)]
                    + SweepAnalysis.timingCells($0.values) + SweepAnalysis.rateCells($0.values) })
        let summary = """
            Forward time of exact attention (\(c.layers) × \(c.heads) heads, fp32, \(c.settings.threads) threads) \
            for N in \(c.lengths.map(String.init).joined(separator: ", ")) at m = \(c.headDimension), and for m in \
            \(c.headDimensions.map(String.init).joined(separator: ", ")) at N = \(c.fixedLength). Exponents are \
            least-squares slopes of log median time on log size with 95% Student-t intervals; error bars are \
            95% intervals of each point's time. flash never stores the N × N scores; naive forms them with GEMM, \
            applies a row softmax and multiplies by V.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }
}
