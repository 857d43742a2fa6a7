import Foundation
import Mixers
import Testing

@testable import Experiments

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")

@Suite("experiment bounded-entries")
struct BoundedEntriesExperimentTests {
    /// n = 32, 64 at B/√ln n = 0.25 and 4: tiny error well below, Ω(1) well above.
    @Test func smallSweepShowsBothSidesOfTheThreshold() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("bounded.sqlite"))
        let experiment = try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(
            lengths: [32, 64], ratios: [0.25, 4], maximumFeatures: 512))
        let outcome = try SweepRunner(store: store, machine: machine).run(experiment)
        #expect(outcome.storedPoints == 4 && outcome.analysis.table.rows.count == 4 && outcome.analysis.plots.count == 2)
        let values = try experiment.results(from: store.measurements(experiment: BoundedEntriesExperiment.name))
        for result in values {
            if result.point.ratio < 1 {
                #expect(!result.values.capped && result.values.error <= 1 / Double(result.point.n), "\(result)")
            } else {
                #expect(result.values.capped && result.values.error >= 0.1, "\(result)")
            }
        }
        #expect(outcome.analysis.claims.prefix(2).map(\.verdict) == [.supported, .supported])
        #expect(try SweepRunner(store: store, machine: machine).run(experiment).resumedPoints == 4)
    }

    @Test func degreeFollowsTheTargetErrorAndTheCap() throws {
        let experiment = try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(maximumFeatures: 2000))
        let small = experiment.degree(BoundedEntriesPoint(n: 1024, ratio: 0.25))
        #expect(!small.capped && small.degree >= 2)
        let large = experiment.degree(BoundedEntriesPoint(n: 1024, ratio: 4))
        #expect(large.capped && MixerDescription.polynomialFeatureCount(headDimension: 10, degree: large.degree) <= 2000)
        #expect(MixerDescription.polynomialFeatureCount(headDimension: 10, degree: 2) == 66)
    }

    @Test func crossingIsInterpolatedBetweenTheNeighbouringRatios() throws {
        let experiment = try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(lengths: [256, 1024], ratios: [0.5, 1, 2]))
        func result(_ n: Int, _ ratio: Double, _ error: Double) -> ExperimentResult<BoundedEntriesPoint, BoundedEntriesValues> {
            ExperimentResult(point: BoundedEntriesPoint(n: n, ratio: ratio), values: BoundedEntriesValues(
                degree: 2, features: 10, capped: ratio > 0.5, polynomialError: 0, maximumError: error, nonFiniteOutputs: 0,
                polynomialSeconds: 0, exactSeconds: 0))
        }
        let analysis = BoundedEntriesAnalysis(configuration: experiment.configuration, results: [
            result(256, 0.5, 1e-4), result(256, 1, 1e-2), result(256, 2, 1), result(1024, 0.5, 1e-5), result(1024, 1, 0.1), result(1024, 2, 2),
        ])
        let crossings = analysis.crossingsByLength
        #expect(crossings.count == 2 && abs(crossings[0].ratio - 2.0.squareRoot()) < 1e-9 && abs(crossings[1].ratio - 1) < 1e-9)
        #expect(analysis.transitionClaim.verdict == .supported)
    }

    @Test func badConfigurationsAreRefused() {
        #expect(throws: ExperimentError.invalidOption("lengths (n) must be in 2…65536, got 1")) {
            try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(lengths: [1]))
        }
        #expect(throws: ExperimentError.invalidOption("ratios (B/√ln n) must be in (0, 16], got -1.0")) {
            try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(ratios: [-1]))
        }
    }

    @Test func cliRunsASmallSweepAsJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try Attnlab.run(["experiment", "bounded-entries", "--lengths", "16", "--ratios", "0.25,4", "--db",
                                   directory.path("b.sqlite"), "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let claims = json?["claims"] as? [[String: Any]]
        #expect(claims?.count == 3 && claims?.allSatisfy { $0["claim"] != nil && $0["verdict"] != nil } == true)
    }
}
