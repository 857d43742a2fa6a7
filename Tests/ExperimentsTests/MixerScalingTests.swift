import Foundation
import Mixers
import Testing

@testable import Experiments

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")
private let oneCall = MeasurementSettings(timing: TimingPolicy(warmup: 0, minRepeats: 1, maxRepeats: 1), threads: 1)

/// A synthetic timing of `seconds`.
private func timed(_ mixer: MixerName, causal: Bool = false, n: Int, _ seconds: Double)
    -> ExperimentResult<MixerScalingPoint, MeasurementValues> {
    ExperimentResult(point: MixerScalingPoint(mixer: mixer, causal: causal, n: n),
                     values: MeasurementValues(TimingSample(seconds: [seconds], noisyThreshold: 1, stopReason: .maxRepeats)))
}

@Suite("experiment mixer-scaling")
struct MixerScalingTests {
    @Test func sweepTimesForwardAndBackwardOfEveryMixer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("scaling.sqlite"))
        let config = MixerScalingConfiguration(mixers: [.linear, .window, .nystrom, .mamba], lengths: [16, 32, 64], heads: 1,
                                               headDimension: 8, window: 4, features: 8, landmarks: 4, backward: true,
                                               settings: oneCall)
        let experiment = try MixerScalingExperiment(configuration: config)
        // exact, exact causal (for window and mamba), then the four mixers.
        #expect(experiment.points.count == 6 * 3)
        #expect(experiment.points.filter(\.causal).map(\.mixer) == [.exact, .exact, .exact, .window, .window, .window, .mamba, .mamba, .mamba])
        let outcome = try SweepRunner(store: store, machine: machine).run(experiment)
        #expect(outcome.measuredPoints == 18)
        let results = try experiment.results(from: store.measurements(experiment: MixerScalingExperiment.name))
        #expect(results.allSatisfy { $0.values.median > 0 && ($0.values.metrics["backwardSeconds"] ?? 0) > 0 })
        #expect(outcome.analysis.claims.count == 2 * 6 && outcome.analysis.plots.count == 2)
    }

    @Test func crossoverIsReadOffTheFittedLines() throws {
        let experiment = try MixerScalingExperiment(configuration: MixerScalingConfiguration(mixers: [.linear, .based]))
        let lengths = [256, 512, 1024, 2048, 4096]
        let results = lengths.map { timed(.exact, n: $0, 1e-9 * Double($0 * $0)) }
            + lengths.map { timed(.linear, n: $0, 1e-6 * Double($0)) }
            + lengths.map { timed(.based, n: $0, 1e-2 * Double($0)) }
        let claims = experiment.analyse(results).claims
        #expect(claims.count == 3)
        #expect(claims[0].verdict == .supported && abs(claims[0].measured - 2) < 1e-9)
        let linear = claims.first { $0.claim.hasPrefix("linear") }
        #expect(linear?.verdict == .supported && linear?.note.contains("overtakes flash at N ≈ 1000") == true, "\(linear?.note ?? "")")
        let based = claims.first { $0.claim.hasPrefix("based") }
        #expect(based?.note.contains("not within the range 256…4096") == true, "\(based?.note ?? "")")
    }

    @Test func badConfigurationsAreRefused() {
        #expect(throws: ExperimentError.self) {
            try MixerScalingExperiment(configuration: MixerScalingConfiguration(mixers: [.nystrom], lengths: [100], landmarks: 64))
        }
        #expect(throws: ExperimentError.self) {
            try MixerScalingExperiment(configuration: MixerScalingConfiguration(lengths: [1024, 1024]))
        }
    }

    @Test func commandPrintsClaimsAsJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Attnlab.run([
            "experiment", "mixer-scaling", "--db", directory.path("s.sqlite"), "--mixers", "linear,mamba", "--lengths",
            "16,32,64", "--heads", "1", "--head-dim", "8", "--warmup", "0", "--min-repeats", "1", "--max-repeats", "1", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let claims = object?["claims"] as? [[String: Any]] ?? []
        #expect(claims.count == 4 && claims.allSatisfy { $0["claim"] is String && $0["verdict"] is String })
        #expect(object?["total_points"] as? Int == 12)
    }
}
