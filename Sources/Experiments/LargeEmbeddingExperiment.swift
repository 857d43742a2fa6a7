import Foundation
import Kernels

/// How a `large-embedding` point multiplies its N×N matrices.
public enum ProductAlgorithm: String, Codable, Sendable, CaseIterable {
    /// The packed SIMD `gemm`: 2·N³ FLOPs.
    case classical
    /// `strassenGEMM`: Strassen–Winograd recursion down to the cut-off, Θ(N^log₂7).
    case strassen
}

/// The sizes of the `large-embedding` sweep.
public struct LargeEmbeddingConfiguration: Codable, Sendable, Equatable {
    /// N values: each point multiplies two N×N matrices.
    public var sizes: [Int]
    /// Strassen's cut-off: products whose smallest side is at most this go to `gemm`.
    public var cutoff: Int
    public var algorithms: [ProductAlgorithm]
    public var settings: MeasurementSettings

    /// Defaults: N = 512 … 8192 in steps of about √2 and the kernel's measured cut-off
    /// (`StrassenCutoff.default`), so the fit above twice the cut-off spans one to three levels. About
    /// a minute on 2 cores (the 8192³ products take seconds each).
    public init(sizes: [Int] = [512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192], cutoff: Int = StrassenCutoff.default,
                algorithms: [ProductAlgorithm] = ProductAlgorithm.allCases,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.sizes = sizes
        self.cutoff = cutoff
        self.algorithms = algorithms
        self.settings = settings
    }
}

public struct LargeEmbeddingPoint: Codable, Sendable, Hashable {
    public var algorithm: ProductAlgorithm
    public var n: Int
}

/// The m = N regime, where attention's cost is that of N×N×N matrix products: classical GEMM against
/// Strassen–Winograd. Claims: classical time grows as N³ (3 ± 0.15); Strassen's, fitted on the sizes
/// above twice its cut-off (where it recurses), with exponent below 2.9 (ω ≤ log₂7 ≈ 2.807); Strassen
/// faster than classical at the largest size. Reports the crossover: the smallest size from which
/// Strassen is faster at every larger measured size.
public struct LargeEmbeddingExperiment: Experiment {
    public static let name = "large-embedding"
    public static let title = "Large embedding (m = N): classical vs Strassen–Winograd products"

    public let configuration: LargeEmbeddingConfiguration

    public init(configuration: LargeEmbeddingConfiguration) throws(ExperimentError) {
        try OptionCheck.sizes(configuration.sizes, "sizes (N)")
        try OptionCheck.distinct(configuration.sizes, "sizes (N)")
        try OptionCheck.size(configuration.cutoff, "Strassen cut-off")
        guard !configuration.algorithms.isEmpty else {
            throw .invalidOption("algorithms needs at least one of classical, strassen")
        }
        try OptionCheck.distinct(configuration.algorithms, "algorithms")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    /// Size by size, both algorithms at each size, so a shard gets comparable pairs.
    public var points: [LargeEmbeddingPoint] {
        configuration.sizes.flatMap { n in configuration.algorithms.map { LargeEmbeddingPoint(algorithm: $0, n: n) } }
    }

    public func describe(_ point: LargeEmbeddingPoint) -> String { "\(point.algorithm) N=\(point.n)" }

    public func measure(_ point: LargeEmbeddingPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        let n = point.n, threads = configuration.settings.threads, cutoff = configuration.cutoff
        let a = Tensor<Float>.uniform([n, n], low: -1, high: 1, seed: 1)
        let b = Tensor<Float>.uniform([n, n], low: -1, high: 1, seed: 2)
        var c = Tensor<Float>(zeros: [n, n])
        let sample = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                    return Experiments.measure(configuration.settings.timing) {
                        switch point.algorithm {
                        case .classical:
                            gemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n, threads: threads)
                        case .strassen:
                            strassenGEMM(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n,
                                         cutoff: cutoff, threads: threads)
                        }
                    }
                }
            }
        }
        blackHole(c[0, 0])
        return MeasurementValues(sample, flops: 2 * pow(Double(n), 3), peakGFLOPS: peakGFLOPS)
    }

    public func analyse(_ results: [ExperimentResult<LargeEmbeddingPoint, MeasurementValues>]) -> ExperimentAnalysis {
        let c = configuration
        func measured(_ algorithm: ProductAlgorithm, from smallest: Int = 0) -> [ExperimentResult<LargeEmbeddingPoint, MeasurementValues>] {
            results.filter { $0.point.algorithm == algorithm && $0.point.n >= smallest }.sorted { $0.point.n < $1.point.n }
        }
        var claims: [ClaimResult] = []
        var series: [PlotSeries] = []
        let fitFrom: [ProductAlgorithm: Int] = [.classical: 0, .strassen: 2 * c.cutoff]
        for algorithm in c.algorithms {
            let fitted = measured(algorithm, from: fitFrom[algorithm]!)
            let (claim, prediction): (String, Prediction) = switch algorithm {
            case .classical: ("classical GEMM time grows as N³", .near(value: 3, tolerance: 0.15))
            case .strassen: ("Strassen–Winograd time grows slower than N^2.9 above its cut-off (log₂7 ≈ 2.807)", .atMost(2.9))
            }
            let note = algorithm == .strassen ? "fitted on N ≥ \(2 * c.cutoff) (cut-off \(c.cutoff))" : ""
            let fit = SweepAnalysis.exponentClaim(
                claim, prediction: prediction, sizes: fitted.map { Double($0.point.n) }, values: fitted.map(\.values.median),
                note: SweepAnalysis.joined(note, SweepAnalysis.noisyNote(fitted.map(\.values))))
            claims.append(fit.claim)
            series.append(PlotSeries(
                name: algorithm.rawValue,
                points: measured(algorithm).map { SweepAnalysis.plotPoint(x: Double($0.point.n), $0.values) },
                fit: fit.fit.map(FittedLine.init)))
        }
        if c.algorithms.count == 2 { claims.append(speedupClaim(classical: measured(.classical), strassen: measured(.strassen))) }
        let plot = LogLogPlot(title: "N×N×N product time: classical vs Strassen–Winograd (cut-off \(c.cutoff))",
                              xLabel: "N (= m)", yLabel: "time (s)", series: series)
        let table = ReportTable(
            headers: ["Algorithm", "N", "Median (ms)", "Min (ms)", "CV", "GFLOP/s (2N³)", "% of peak"],
            rows: results.sorted { ($0.point.n, $0.point.algorithm.rawValue) < ($1.point.n, $1.point.algorithm.rawValue) }
                .map { [$0.point.algorithm.rawValue, String($0.point.n)]
                    + SweepAnalysis.timingCells($0.values) + SweepAnalysis.rateCells($0.values) })
        let summary = """
            Median time of one product of two N×N fp32 matrices for N in \(c.sizes.map(String.init).joined(separator: ", ")) \
            (\(c.settings.threads) threads): classical packed GEMM, and Strassen–Winograd recursing while the \
            smallest side exceeds \(c.cutoff). With m = N, each attention head is dominated by such products, so \
            its cost follows them: N³ classically, N^ω with fast matrix multiplication. GFLOP/s count 2N³ for \
            both, so Strassen can exceed the machine's peak.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: [plot])
    }

    /// Strassen's speedup over classical at the largest size both measured, with an interval from the two
    /// medians' intervals; the note gives the crossover.
    private func speedupClaim(classical: [ExperimentResult<LargeEmbeddingPoint, MeasurementValues>],
                              strassen: [ExperimentResult<LargeEmbeddingPoint, MeasurementValues>]) -> ClaimResult {
        let claim = "Strassen–Winograd is faster than classical GEMM above its cut-off (speedup at the largest N)"
        let prediction = Prediction.atLeast(1)
        let classicalBySize = Dictionary(classical.map { ($0.point.n, $0.values) }, uniquingKeysWith: { first, _ in first })
        let pairs = strassen.compactMap { result in classicalBySize[result.point.n].map { (result.point.n, $0, result.values) } }
        guard let (largest, slow, fast) = pairs.last else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "needs both algorithms measured at one size")
        }
        let slowRange = SweepAnalysis.interval(slow), fastRange = SweepAnalysis.interval(fast)
        let faster = pairs.map { $0.2.median < $0.1.median }
        let crossover = faster.lastIndex(of: false).map { $0 + 1 < pairs.count ? "N = \(pairs[$0 + 1].0)" : "none measured" }
            ?? "N = \(pairs[0].0) (faster at every size)"
        return ClaimResult(
            claim: claim, prediction: prediction, measured: slow.median / fast.median,
            interval: (slowRange.lowerBound / fastRange.upperBound)...(slowRange.upperBound / fastRange.lowerBound),
            note: "at N = \(largest); crossover (faster from here on): \(crossover)")
    }
}
