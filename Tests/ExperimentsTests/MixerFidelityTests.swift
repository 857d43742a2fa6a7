import Foundation
import Kernels
import Mixers
import Testing

@testable import Experiments

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")
private let oneCall = MeasurementSettings(timing: TimingPolicy(warmup: 0, minRepeats: 1, maxRepeats: 1), threads: 1)

/// N = 16, 32; H = 1, D = 16; two budgets per budgeted mixer: 3 inputs × 2 N × 12 points.
private func tiny() -> MixerFidelityConfiguration {
    MixerFidelityConfiguration(lengths: [16, 32], heads: 1, headDimension: 16, windows: [2, 4], performerFeatures: [8, 32],
                               linformerFeatures: [4, 8], degrees: [2], landmarks: [4, 8], referenceRows: 8,
                               settings: oneCall)
}

@Suite("experiment mixer-fidelity")
struct MixerFidelityTests {
    @Test func sweepMeasuresEveryMixerAndResumes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("fidelity.sqlite"))
        let experiment = try MixerFidelityExperiment(configuration: tiny())
        #expect(experiment.points.count == 3 * 2 * 12)
        let runner = SweepRunner(store: store, machine: machine)
        let first = try runner.run(experiment)
        #expect(first.measuredPoints == 72 && first.storedPoints == 72)
        let results = try experiment.results(from: store.measurements(experiment: MixerFidelityExperiment.name))
        let exact = results.filter { $0.point.mixer == .exact }.compactMap { $0.values.metrics["relativeError"] }
        #expect(exact.count == 6 && exact.allSatisfy { $0 < 1e-5 })
        // Every point has a finite error, the polynomial's on retrieval inputs (B from their large entries) too.
        #expect(results.allSatisfy { result in (result.values.metrics["relativeError"] ?? -1).isFinite
            && (result.values.metrics["relativeError"] ?? -1) >= 0 })
        #expect(results.filter { $0.point.input == .retrieval && $0.point.mixer != .window }
            .allSatisfy { ($0.values.metrics["matchWeight"] ?? 0) > 0.9 })
        let claims = first.analysis.claims
        #expect(claims.count == 2 + 7 + 1)
        #expect(claims[0].verdict == .supported && claims[1].verdict == .supported)
        #expect(first.analysis.plots.count == 7)
        #expect(try runner.run(experiment).resumedPoints == 72)
    }

    @Test func retrievalQueriesPickTheirFarKey() {
        for n in [7, 65, 129] {
            let inputs = FidelityInputs(.retrieval, heads: 2, length: n, width: 16, seed: 3)
            let reference = inputs.reference(rows: Array(0..<n), causal: false)
            #expect((reference.matchWeight ?? 0) > 0.99, "N = \(n): \(reference.matchWeight ?? .nan)")
            #expect(inputs.match?(0) == n / 2)
        }
        let gaussian = FidelityInputs(.gaussian, heads: 1, length: 17, width: 5, seed: 0)
        #expect(gaussian.match == nil && gaussian.reference(rows: [0, 16], causal: true).matchWeight == nil)
    }

    @Test func relativeErrorOfTheReferenceItselfIsZero() throws {
        let inputs = FidelityInputs(.gaussian, heads: 2, length: 17, width: 3, seed: 1)
        let rows = FidelityInputs.sampledRows(length: 17, count: 5)
        #expect(rows == [0, 3, 6, 10, 13])
        let reference = inputs.reference(rows: Array(0..<17), causal: true)
        let asTensor = Tensor<Float>(shape: [1, 2, 17, 3], elements: reference.output.map(Float.init))
        #expect(FidelityInputs.relativeError(asTensor, reference: reference.output, rows: Array(0..<17)) < 1e-6)
        let exact = try MixerDescription(kind: .exact, causal: true).makeMixer()
            .forward(queries: inputs.queries, keys: inputs.keys, values: inputs.values).output
        #expect(FidelityInputs.relativeError(exact, reference: reference.output, rows: Array(0..<17)) < 1e-5)
    }

    @Test func paretoFrontKeepsOnlyUnbeatenPoints() {
        let front = MixerFidelityAnalysis.paretoFront([(1, 0.5), (2, 0.1), (3, 0.2), (0.5, 1.0), (2, 0.1), (4, .nan)])
        #expect(front.map(\.time) == [0.5, 1, 2, 2] && front.map(\.error) == [1.0, 0.5, 0.1, 0.1])
    }

    @Test func performerSlopeIsFittedFromTheErrors() throws {
        let experiment = try MixerFidelityExperiment(configuration: tiny())
        let results = [16, 64, 256, 1024].map { m in
            ExperimentResult(point: FidelityPoint(input: .moderate, mixer: .performer, budget: m, n: 32),
                             values: MeasurementValues(TimingSample(seconds: [1e-3], noisyThreshold: 1, stopReason: .maxRepeats),
                                                       metrics: ["relativeError": 2 / Double(m).squareRoot()]))
        }
        let claim = experiment.analyse(results).claims.first { $0.claim.contains("m^(−1/2)") }
        #expect(claim?.verdict == .supported)
        #expect(abs((claim?.measured ?? 0) + 0.5) < 1e-9)
    }

    @Test func badBudgetsAreRefused() {
        var config = tiny()
        config.landmarks = [5]
        #expect(throws: ExperimentError.self) { try MixerFidelityExperiment(configuration: config) }
        config = tiny()
        config.degrees = [0]
        #expect(throws: ExperimentError.self) { try MixerFidelityExperiment(configuration: config) }
    }

    @Test func commandPrintsClaimsAsJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Attnlab.run([
            "experiment", "mixer-fidelity", "--db", directory.path("f.sqlite"), "--lengths", "16", "--heads", "1",
            "--mixers", "linear,nystrom", "--landmarks", "4", "--reference-rows", "4", "--warmup", "0",
            "--min-repeats", "1", "--max-repeats", "1", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let claims = object?["claims"] as? [[String: Any]] ?? []
        #expect(claims.count == 4 && claims.allSatisfy { $0["claim"] is String && $0["verdict"] is String })
        #expect(object?["total_points"] as? Int == 9)
    }
}
