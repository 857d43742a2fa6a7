import Foundation
import Hardness

/// How a `hardness-scaling` point decides its instance.
public enum HardnessMethod: String, Codable, Sendable, CaseIterable {
    /// The papers' transformer construction run through the attention kernels (`HardnessConstruction`).
    case transformer
    /// The exact bit-packed brute-force solver (`BruteForce`).
    case bruteForce = "brute-force"
}

/// The sizes of the `hardness-scaling` sweep.
public struct HardnessScalingConfiguration: Codable, Sendable, Equatable {
    /// OV and/or 3-OV.
    public var problems: [HardnessProblem]
    /// n: vectors per set.
    public var setSizes: [Int]
    /// |C| for 3-OV (= L·H heads of its transformer, one layer).
    public var thirdSetSize: Int
    public var methods: [HardnessMethod]
    public var settings: MeasurementSettings

    /// Defaults: OV and 3-OV, n = 256 … 4096 doubling with d = 2⌈log₂ n⌉, |C| = 4, "no" instances (every
    /// method must look at everything). About a minute on 2 cores.
    public init(problems: [HardnessProblem] = [.ov, .threeOV], setSizes: [Int] = [256, 512, 1024, 2048, 4096],
                thirdSetSize: Int = 4, methods: [HardnessMethod] = HardnessMethod.allCases,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.problems = problems
        self.setSizes = setSizes
        self.thirdSetSize = thirdSetSize
        self.methods = methods
        self.settings = settings
    }
}

public struct HardnessScalingPoint: Codable, Sendable, Hashable {
    public var problem: HardnessProblem
    public var method: HardnessMethod
    public var n: Int
}

/// The hardness side of the small-embedding result: a transformer that decides OV (one attention unit)
/// or 3-OV (L·H heads) costs N² per head, and under SETH nothing does much better. Times the transformer
/// construction against brute force on the same seeded "no" instances as n grows; claims both grow as
/// n² (exponent 2 ± 0.3: d grows as log n, adding a little).
public struct HardnessScalingExperiment: Experiment {
    public static let name = "hardness-scaling"
    public static let title = "Hardness: transformer vs brute force on OV and 3-OV"

    public let configuration: HardnessScalingConfiguration

    public init(configuration: HardnessScalingConfiguration) throws(ExperimentError) {
        guard !configuration.problems.isEmpty,
              configuration.problems.allSatisfy({ $0 == .ov || $0 == .threeOV }) else {
            throw .invalidOption("problems must be ov and/or 3ov, got \(configuration.problems.map(\.rawValue))")
        }
        try OptionCheck.distinct(configuration.problems, "problems")
        try OptionCheck.sizes(configuration.setSizes, "set sizes (n)")
        try OptionCheck.distinct(configuration.setSizes, "set sizes (n)")
        if let small = configuration.setSizes.first(where: { $0 < 2 }) {
            throw .invalidOption("set sizes (n) must be at least 2 (OV needs a pair), got \(small)")
        }
        try OptionCheck.size(configuration.thirdSetSize, "|C| (3-OV heads)")
        guard !configuration.methods.isEmpty else { throw .invalidOption("methods needs at least one of transformer, brute-force") }
        try OptionCheck.distinct(configuration.methods, "methods")
        try configuration.settings.validate()
        self.configuration = configuration
    }

    /// Problem by problem, n growing, both methods at each n.
    public var points: [HardnessScalingPoint] {
        configuration.problems.flatMap { problem in
            configuration.setSizes.flatMap { n in configuration.methods.map { HardnessScalingPoint(problem: problem, method: $0, n: n) } }
        }
    }

    public func describe(_ point: HardnessScalingPoint) -> String { "\(point.problem.rawValue) \(point.method.rawValue) n=\(point.n)" }

    /// Times deciding one seeded "no" instance (the same for both methods); stores the answer as metric
    /// "answer" (0 or 1). The transformer's tokens and weights are built before timing.
    public func measure(_ point: HardnessScalingPoint, peakGFLOPS: Double?) throws -> MeasurementValues {
        var generator = InstanceGenerator(seed: UInt64(point.n))
        let instance = try generator.generate(point.problem, setSize: point.n, planted: .no,
                                              thirdSetSize: configuration.thirdSetSize, verify: false)
        let threads = configuration.settings.threads, timing = configuration.settings.timing
        var answer = false
        let sample: TimingSample
        switch (point.method, point.problem) {
        case (.bruteForce, _):
            sample = try Experiments.measure(timing) { answer = try BruteForce.solve(instance, threads: threads).answer }
        case (.transformer, .threeOV):
            let construction = try ThreeOVConstruction(instance, layers: 1, heads: configuration.thirdSetSize)
            sample = try Experiments.measure(timing) { answer = try construction.run(precision: .float32, threads: threads).answer }
        case (.transformer, _):
            let construction = try PairConstruction(instance)
            sample = try Experiments.measure(timing) {
                answer = try construction.run(precision: construction.defaultPrecision, threads: threads).answer
            }
        }
        return MeasurementValues(sample, peakGFLOPS: peakGFLOPS, metrics: ["answer": answer ? 1 : 0])
    }

    public func analyse(_ results: [ExperimentResult<HardnessScalingPoint, MeasurementValues>]) -> ExperimentAnalysis {
        let c = configuration
        var claims: [ClaimResult] = []
        var plots: [LogLogPlot] = []
        for problem in c.problems {
            var series: [PlotSeries] = []
            for method in c.methods {
                let measured = results.filter { $0.point.problem == problem && $0.point.method == method }
                    .sorted { $0.point.n < $1.point.n }
                let wrong = measured.filter { $0.values.metrics["answer"] != 0 }.count
                let fit = SweepAnalysis.exponentClaim(
                    "\(problem.rawValue): \(method.rawValue) time grows as n² (N² attention per head; no faster under SETH)",
                    prediction: .near(value: 2, tolerance: 0.3), sizes: measured.map { Double($0.point.n) },
                    values: measured.map(\.values.median),
                    note: SweepAnalysis.joined(wrong == 0 ? "" : "\(wrong) wrong answers on \"no\" instances",
                                               SweepAnalysis.noisyNote(measured.map(\.values))))
                claims.append(fit.claim)
                series.append(PlotSeries(name: method.rawValue,
                                         points: measured.map { SweepAnalysis.plotPoint(x: Double($0.point.n), $0.values) },
                                         fit: fit.fit.map(FittedLine.init)))
            }
            let detail = problem == .threeOV ? ", |C| = \(c.thirdSetSize)" : ""
            plots.append(LogLogPlot(title: "\(problem.rawValue): time to decide a \"no\" instance vs n\(detail)",
                                    xLabel: "vectors per set n", yLabel: "time (s)", series: series))
        }
        let table = ReportTable(
            headers: ["Problem", "Method", "n", "d", "Median (ms)", "Min (ms)", "CV", "Answer"],
            rows: results.map { result in
                [result.point.problem.rawValue, result.point.method.rawValue, String(result.point.n),
                 String(InstanceGenerator.defaultDimension(setSize: result.point.n))]
                    + SweepAnalysis.timingCells(result.values)
                    + [result.values.metrics["answer"] == 1 ? "yes" : "no"]
            })
        let summary = """
            Time to decide one seeded "no" instance (no witness, so every method must examine everything) with \
            n in \(c.setSizes.map(String.init).joined(separator: ", ")) vectors per set, d = max(4, ⌈2·log₂ n⌉): \
            the papers' transformer constructions (OV: one attention unit over n + 1 tokens; 3-OV: the \
            sum-of-heads transformer with one head per vector of C, |C| = \(c.thirdSetSize)) against the \
            bit-packed brute-force solver (\(c.settings.threads) threads). Building tokens and weights is not timed.
            """
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: plots)
    }
}
