import Foundation
import Testing

@testable import Experiments

/// T = 4, 40 training examples in batches of 8, 2 epochs: 10 steps a point.
private func tiny(heads: [Int] = [1, 2], widths: [Int]? = nil) -> HeadsConfiguration {
    HeadsConfiguration(heads: heads, lengths: [4], epochs: 2, widths: widths, trainSamples: 40, validationSamples: 20,
                       batchSize: 8, settings: MeasurementSettings(threads: 1))
}

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")

/// Results with the given mean NMSE for each (size, T), one seed each.
private func synthetic(_ nmse: [Int: Double], length: Int = 8, width: Bool = false)
    -> [ExperimentResult<HeadsPoint, HeadsValues>] {
    nmse.map { size, value in
        ExperimentResult(
            point: HeadsPoint(heads: width ? 1 : size, length: length, headDimension: width ? size : 8, seed: 0),
            values: HeadsValues(nmse: value, trainLoss: value, epochLoss: [value], steps: 1, stepsPerSecond: 1, seconds: 1))
    }
}

@Suite("experiment heads")
struct HeadsExperimentTests {
    @Test func sweepStoresEveryPointAndResumes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("heads.sqlite"))
        let experiment = try HeadsExperiment(configuration: tiny())
        let runner = SweepRunner(store: store, machine: machine)
        let first = try runner.run(experiment)
        #expect(first.measuredPoints == 2 && first.storedPoints == 2 && first.totalPoints == 2)
        let values = try experiment.results(from: store.measurements(experiment: HeadsExperiment.name)).map(\.values)
        #expect(values.allSatisfy { $0.nmse.isFinite && $0.nmse > 0 && $0.steps == 10 && $0.epochLoss.count == 2 })
        #expect(first.analysis.table.rows.count == 2)
        #expect(first.analysis.claims.count == 2)

        let second = try runner.run(experiment)
        #expect(second.measuredPoints == 0 && second.resumedPoints == 2)
        #expect(try store.measurements(experiment: HeadsExperiment.name).count == 2)
    }

    @Test func shardsSplitTheSweep() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("heads.sqlite"))
        let experiment = try HeadsExperiment(configuration: tiny(heads: [1, 2, 3]))
        let first = try SweepRunner(store: store, shard: Shard(index: 0, count: 2), machine: machine).run(experiment)
        let second = try SweepRunner(store: store, shard: Shard(index: 1, count: 2), machine: machine).run(experiment)
        #expect(first.measuredPoints + second.measuredPoints == 3 && first.measuredPoints > 0 && second.measuredPoints > 0)
        let keys = try store.measurements(experiment: HeadsExperiment.name).map(\.pointKey)
        #expect(Set(keys) == Set(try experiment.points.map { try CanonicalJSON.pointKey($0) }))
    }

    @Test func pointsFollowTheSweepChosen() throws {
        let heads = try HeadsExperiment(configuration: HeadsConfiguration(seeds: 2))
        #expect(heads.points.count == 5 * 3 * 2)
        #expect(heads.points.allSatisfy { $0.headDimension == 8 && $0.hidden == 32 })
        #expect(heads.trainingConfiguration(heads.points[0]).steps == HeadsConfiguration.defaultEpochs * 125)
        // The heads sweep's points keep the keys they were stored under before the MLPs' width was recorded.
        #expect(try !CanonicalJSON.pointKey(heads.points[0]).contains("mlpHidden"))
        let widths = try HeadsExperiment(configuration: tiny(widths: [8, 64]))
        #expect(widths.points.map(\.width) == [8, 64] && widths.points.allSatisfy { $0.heads == 1 })
        #expect(widths.points.map(\.hidden) == [32, 64])
        let wide = widths.trainingConfiguration(widths.points[1]).model
        #expect(wide.input == .continuous(dimension: 4, hidden: 64) && wide.output == .regression(dimension: 1, hidden: 64))
        #expect(wide.headDimension == 64 && wide.width == 64)
    }

    @Test func dropAtDAndFallingNMSEAreSupported() throws {
        let experiment = try HeadsExperiment(configuration: HeadsConfiguration(lengths: [8]))
        let claims = experiment.analyse(synthetic([1: 0.2, 2: 0.1, 3: 0.05, 4: 0.002, 5: 0.001])).claims
        #expect(claims.map(\.verdict) == [.supported, .supported])
        #expect(abs(claims[0].measured - 25) < 1e-9)
    }

    @Test func noDropOrARiseIsNotSupported() throws {
        let experiment = try HeadsExperiment(configuration: HeadsConfiguration(lengths: [8]))
        let claims = experiment.analyse(synthetic([1: 0.2, 2: 0.1, 3: 0.05, 4: 0.02, 5: 0.1])).claims
        #expect(claims.map(\.verdict) == [.notSupported, .notSupported])
        #expect(abs(claims[1].measured - 5) < 1e-9)
    }

    @Test func missingHeadsLeaveTheDropInconclusive() throws {
        let experiment = try HeadsExperiment(configuration: HeadsConfiguration(lengths: [8]))
        let claims = experiment.analyse(synthetic([1: 0.2, 2: 0.1, 4: 0.002])).claims
        #expect(claims.map(\.verdict) == [.inconclusive, .supported])
    }

    @Test func tableShowsThePapersValues() throws {
        let experiment = try HeadsExperiment(configuration: HeadsConfiguration(lengths: [8]))
        let analysis = experiment.analyse(synthetic([4: 0.002]))
        #expect(analysis.table.rows.first?[4] == NumberText.short(6.1e-5))
        #expect(analysis.plots.first?.series.map(\.name) == ["T = 8", "Yu et al. T = 8"])
    }

    @Test func wideHeadClaimFollowsTheWidthSweep() throws {
        let experiment = try HeadsExperiment(configuration: HeadsConfiguration(lengths: [8], widths: [8, 16, 64]))
        let supported = experiment.analyse(synthetic([8: 0.1, 16: 0.05, 64: 0.001], width: true)).claims
        #expect(supported.map(\.verdict) == [.supported])
        let refuted = experiment.analyse(synthetic([8: 0.1, 16: 0.05, 64: 0.05], width: true)).claims
        #expect(refuted.map(\.verdict) == [.notSupported])
    }

    @Test func badConfigurationsThrowOneLineErrors() {
        #expect(throws: ExperimentError.invalidOption("heads must be positive, got 0")) {
            try HeadsExperiment(configuration: HeadsConfiguration(heads: [0]))
        }
        #expect(throws: ExperimentError.invalidOption("epochs must be positive, got 0")) {
            try HeadsExperiment(configuration: HeadsConfiguration(epochs: 0))
        }
        #expect(throws: ExperimentError.invalidOption("learning rate must be positive, got 0.0")) {
            try HeadsExperiment(configuration: HeadsConfiguration(learningRate: 0))
        }
    }

    @Test func commandPrintsClaimsAsJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Attnlab.run([
            "experiment", "heads", "--heads-list", "3,4", "--lengths", "4", "--epochs", "2", "--train-samples", "40",
            "--validation-samples", "20", "--batch", "8", "--threads", "1", "--json", "--db", directory.path("heads.sqlite"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let claims = try #require(object?["claims"] as? [[String: Any]])
        #expect(claims.count == 2)
        #expect(claims.allSatisfy { $0["claim"] is String && $0["measured"] != nil && $0["verdict"] is String })
    }
}
