import Foundation
import Kernels
import Testing

@testable import Experiments

/// One timed call per point, no warm-up: the tests check the bookkeeping, not the timings.
private let quick = MeasurementSettings(
    timing: TimingPolicy(warmup: 0, minRepeats: 1, maxRepeats: 1, budgetSeconds: 10), threads: 2)
private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: 100, operatingSystem: "test")

@Suite("Experiment sweeps on tiny sizes")
struct ExperimentSweepTests {
    @Test func sweepStoresEveryPointAndResumesWithoutRemeasuring() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("results.sqlite"))
        let experiment = try ScalingExperiment(configuration: ScalingConfiguration(
            lengths: [32, 48, 64], headDimension: 16, headDimensions: [8, 16, 32], fixedLength: 32, settings: quick))
        let runner = SweepRunner(store: store, machine: machine)
        let first = try runner.run(experiment)
        #expect(first.measuredPoints == experiment.points.count && first.resumedPoints == 0)
        #expect(first.storedPoints == first.totalPoints)
        #expect(first.analysis.claims.count == 4)
        #expect(first.analysis.claims.allSatisfy { $0.measured.isFinite })

        let second = try runner.run(experiment)
        #expect(second.measuredPoints == 0 && second.resumedPoints == experiment.points.count)
        #expect(second.run.configHash == first.run.configHash)
        let stored = try store.measurements(experiment: ScalingExperiment.name)
        #expect(stored.count == experiment.points.count)
        #expect(Set(stored.map(\.pointKey)) == Set(try experiment.points.map { try CanonicalJSON.pointKey($0) }))
        let runs = try store.runs()
        #expect(runs.map(\.status) == [.finished, .finished])
        #expect(runs.allSatisfy { $0.machine?.peakGFLOPS == 100 })
        let values = try stored[0].values(as: MeasurementValues.self)
        #expect(values.peakGFLOPS == 100 && values.seconds.count == 1 && values.gflops != nil)
    }

    @Test func shardsMeasureDisjointPartsThatTogetherCoverTheSweep() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("results.sqlite"))
        let experiment = try DirectSumExperiment(configuration: DirectSumConfiguration(
            length: 32, headDimension: 16, heads: [1, 2], layers: [1, 2], settings: quick))
        let firstHalf = try SweepRunner(store: store, shard: Shard(index: 0, count: 2), machine: machine).run(experiment)
        #expect(firstHalf.measuredPoints == (experiment.points.count + 1) / 2)
        #expect(firstHalf.storedPoints < firstHalf.totalPoints)
        let secondHalf = try SweepRunner(store: store, shard: Shard(index: 1, count: 2), machine: machine).run(experiment)
        #expect(secondHalf.measuredPoints == experiment.points.count / 2 && secondHalf.resumedPoints == 0)
        #expect(secondHalf.storedPoints == experiment.points.count)
        #expect(try store.runs().map(\.shard) == ["0/2", "1/2"])
        #expect(secondHalf.analysis.claims.count == 2)
        #expect(secondHalf.analysis.claims.allSatisfy { $0.measured.isFinite && $0.low <= $0.measured && $0.measured <= $0.high })
    }

    @Test func everyExperimentRunsAndReportsFromTheStore() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("results.sqlite"))
        let runner = SweepRunner(store: store, machine: machine)
        let gradient = try runner.run(GradientCostExperiment(configuration: GradientCostConfiguration(
            lengths: [16, 32, 64], headDimension: 8, heads: 2, layers: [1, 2], settings: quick)))
        #expect(gradient.storedPoints == 9 && gradient.analysis.claims.count == 6)
        let ratios = try store.measurements(experiment: GradientCostExperiment.name)
            .map { try $0.values(as: GradientCostValues.self) }
        #expect(ratios.allSatisfy { $0.ratio > 0 && $0.ratio.isFinite && $0.flopRatio > 2 && $0.flopRatio <= 2.5 })
        let products = try runner.run(LargeEmbeddingExperiment(configuration: LargeEmbeddingConfiguration(
            sizes: [24, 32, 48, 64, 96], cutoff: 12, settings: quick)))
        #expect(products.storedPoints == 10 && products.analysis.claims.count == 3)
        _ = try runner.run(ScalingExperiment(configuration: ScalingConfiguration(
            lengths: [16, 32, 48], headDimension: 8, headDimensions: [8, 16, 24], fixedLength: 16, paths: [.naive],
            settings: quick)))

        let hardness = try runner.run(HardnessScalingExperiment(configuration: HardnessScalingConfiguration(
            setSizes: [8, 16, 32], thirdSetSize: 2, settings: quick)))
        #expect(hardness.storedPoints == 12 && hardness.analysis.claims.count == 4)
        let answers = try store.measurements(experiment: HardnessScalingExperiment.name)
            .map { try $0.values(as: MeasurementValues.self).metrics["answer"] }
        #expect(answers == Array(repeating: 0, count: 12), "every method must answer no on the planted no-instances")

        let sections = try ExperimentCatalog.reportSections(from: store)
        #expect(sections.map(\.title) == [ScalingExperiment.title, LargeEmbeddingExperiment.title,
                                          GradientCostExperiment.title, HardnessScalingExperiment.title])
        #expect(sections.allSatisfy { !$0.claims.isEmpty && !$0.plots.isEmpty && ($0.table?.rows.isEmpty == false) })
        let files = ReportWriter().files(sections: sections, machine: machine, runs: try store.runs())
        #expect(files.filter { $0.name.hasSuffix(".svg") }.count == 7)
        let markdown = try #require(files.first { $0.name == "report.md" }).contents
        #expect(markdown.contains("Strassen–Winograd is faster than classical GEMM"))
    }

    @Test func materialisingAttentionMatchesTheTextbookFormula() throws {
        let (heads, n, m, d) = (2, 7, 5, 3)
        let q = Tensor<Float>.normal([1, heads, n, d], seed: 1)
        let k = Tensor<Float>.normal([1, heads, m, d], seed: 2)
        let v = Tensor<Float>.normal([1, heads, m, d], seed: 3)
        let output = try materialisingAttention(queries: q, keys: k, values: v, threads: 2)
        let scale = 1 / Double(d).squareRoot()
        var largestError = 0.0
        for h in 0..<heads {
            for i in 0..<n {
                let scores = (0..<m).map { j in scale * (0..<d).reduce(0.0) { $0 + Double(q[0, h, i, $1]) * Double(k[0, h, j, $1]) } }
                let weights = scores.map { exp($0 - scores.max()!) }
                let total = weights.reduce(0, +)
                for c in 0..<d {
                    let expected = (0..<m).reduce(0.0) { $0 + weights[$1] / total * Double(v[0, h, $1, c]) }
                    largestError = max(largestError, abs(expected - Double(output[0, h, i, c])))
                }
            }
        }
        #expect(largestError < 1e-5)
        let grouped = Tensor<Float>.normal([1, 1, m, d], seed: 4)
        #expect(throws: (any Error).self) { try materialisingAttention(queries: q, keys: grouped, values: grouped) }
    }
}
