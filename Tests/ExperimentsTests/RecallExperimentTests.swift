import Foundation
import Testing
import Training

@testable import Experiments

/// `experiment recall`: the analysis of stored points, and a tiny sweep end to end with its curves.
@Suite("Recall experiment")
struct RecallExperimentTests {
    private func result(_ mixer: String, length: Int, pairs: Int, width: Int, rate: Float, accuracy: Double)
        -> ExperimentResult<RecallPoint, RecallValues>
    {
        ExperimentResult(
            point: RecallPoint(mixer: mixer, length: length, pairs: pairs, width: width, learningRate: rate),
            values: RecallValues(accuracy: accuracy, validationLoss: 1 - accuracy, trainLoss: 1, stateBytes: width * length,
                                 parameters: 100, steps: 10, stepsPerSecond: 5, seconds: 2, curve: []))
    }

    @Test func claimsUseTheBestLearningRate() throws {
        let configuration = RecallConfiguration(mixers: [.exact, .gla], shapes: RecallConfiguration.fullShapes, widths: [32, 64],
                                                learningRates: [1e-3, 1e-2])
        var results: [ExperimentResult<RecallPoint, RecallValues>] = []
        for shape in configuration.shapes {
            for width in configuration.widths {
                results.append(result("exact", length: shape.length, pairs: shape.pairs, width: width, rate: 1e-3, accuracy: 0.2))
                results.append(result("exact", length: shape.length, pairs: shape.pairs, width: width, rate: 1e-2, accuracy: 1))
                results.append(result("gla", length: shape.length, pairs: shape.pairs, width: width, rate: 1e-2, accuracy: 0.4))
            }
        }
        let analysis = RecallAnalysis(configuration: configuration, results: results).analysis()
        #expect(analysis.claims.map(\.verdict) == [.supported, .supported])
        #expect(abs(analysis.claims[1].measured + 0.6) < 1e-12)
        #expect(analysis.table.rows.count == 3 * 2 * 2)
        #expect(analysis.plots.count == configuration.shapes.count + 1)
    }

    @Test func missingPointsLeaveClaimsInconclusive() {
        let configuration = RecallConfiguration(mixers: [.exact, .based])
        let analysis = RecallAnalysis(configuration: configuration, results: [
            result("based", length: 64, pairs: 4, width: 32, rate: 1e-3, accuracy: 0.9),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.inconclusive, .inconclusive])
    }

    @Test func tinySweepStoresPointsAndCurves() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let experiment = try RecallExperiment(configuration: RecallConfiguration(
            mixers: [.exact, .mamba(stateSize: 4)], shapes: [.init(length: 12, pairs: 2)], widths: [8], learningRates: [3e-3],
            vocabulary: 16, steps: 8, batchSize: 4, trainSamples: 64, validationSamples: 8,
            settings: MeasurementSettings(threads: 2)))
        let outcome = try SweepRunner(store: store, machine: testMachine).run(experiment)
        #expect(outcome.measuredPoints == 2)
        #expect(try store.curves().count == 2 * RecallExperiment.curvePoints)
        let values = try experiment.results(from: store.measurements(experiment: "recall")).map(\.values)
        #expect(values.allSatisfy { (0...1).contains($0.accuracy) && $0.stateBytes > 0 })
        #expect(values[0].stateBytes == 2 * (2 * 12 * 8 * 4))
    }

    @Test func shapesTrainTheirOwnStepsElseTheConfigurations() throws {
        let experiment = try RecallExperiment(configuration: RecallConfiguration(
            mixers: [.exact], shapes: RecallConfiguration.defaultShapes + [.init(length: 256, pairs: 16)], steps: 600))
        let steps = experiment.points.map { "\($0.length): \(experiment.trainingConfiguration($0).steps)" }
        #expect(steps == ["64: 400", "64: 400", "64: 400", "128: 800", "128: 800", "128: 800", "256: 600", "256: 600", "256: 600"])
        #expect(throws: ExperimentError.self) {
            try RecallExperiment(configuration: RecallConfiguration(shapes: [.init(length: 64, pairs: 4, steps: 0)]))
        }
    }

    @Test func rejectsMixersThatCannotRecallCausally() {
        #expect(throws: ExperimentError.self) {
            try RecallExperiment(configuration: RecallConfiguration(mixers: [.exact, .linformer(projected: 8)]))
        }
    }
}
