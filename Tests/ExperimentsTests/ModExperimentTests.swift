import Foundation
import Testing
import Training

@testable import Experiments

/// `experiment mod`: the isoFLOP step counts, the analysis of stored points, and a tiny sweep end to end.
@Suite("Mixture-of-Depths experiment")
struct ModExperimentTests {
    /// Tiny models and timings: seconds in the debug build.
    private var tiny: ModConfiguration {
        ModConfiguration(layers: 2, width: 8, heads: 2, textContext: 16, mqarLength: 16, mqarPairs: 2, mqarVocabulary: 16,
                         routedSteps: 3, batchSize: 2, trainSamples: 16, validationSamples: 4, timingLength: 32,
                         timingLayers: 2, timingWidth: 64, attentionLengths: [64, 128, 256],
                         settings: MeasurementSettings(timing: TimingPolicy(warmup: 0, minRepeats: 1, maxRepeats: 2,
                                                                            budgetSeconds: 0.2), threads: 2))
    }

    @Test func baselineGetsTheStepsOfEqualTrainingFLOPs() throws {
        let experiment = try ModExperiment(configuration: ModConfiguration(routedSteps: 400))
        let runs = experiment.points.filter { $0.kind == .train }
        #expect(runs.count == 6 && experiment.points.count == 6 + 2 + 4)
        for point in runs {
            let training = try experiment.trainingConfiguration(point)
            let routed = try experiment.trainingConfiguration(ModPoint(kind: .train, task: point.task, variant: .learned,
                                                                        length: point.length))
            let spent = Double(training.steps * training.model.forwardFLOPs)
            let budget = Double(routed.steps * routed.model.forwardFLOPs)
            if point.variant == .baseline {
                #expect(abs(spent / budget - 1) < 0.01 && training.steps < 400, "\(point)")
            } else {
                #expect(training.steps == 400 && spent <= budget, "\(point)")
            }
        }
        #expect(Double(experiment.timingModel(.learned).forwardFLOPs) / Double(experiment.timingModel(.baseline).forwardFLOPs) < 0.6)
    }

    @Test func invalidConfigurationsAreRejected() {
        #expect(throws: ExperimentError.self) { try ModExperiment(configuration: ModConfiguration(capacity: 0)) }
        #expect(throws: ExperimentError.self) { try ModExperiment(configuration: ModConfiguration(tasks: ["copy"])) }
        #expect(throws: ExperimentError.self) { try ModExperiment(configuration: ModConfiguration(attentionLengths: [])) }
    }

    private func trained(_ task: String, _ variant: ModVariant, loss: Double) -> ExperimentResult<ModPoint, ModValues> {
        ExperimentResult(point: ModPoint(kind: .train, task: task, variant: variant, length: 64),
                         values: ModValues(forwardFLOPs: 100, steps: 10, trainingFLOPs: 3e4, validationLoss: loss,
                                           validationMetric: 0.5, trainLoss: loss, seconds: 1,
                                           curve: [CurvePoint(step: 10, trainLoss: loss, validationLoss: loss, validationMetric: 0.5)]))
    }

    private func timed(_ kind: ModPointKind, _ variant: ModVariant, length: Int, flops: Int, seconds: Double)
        -> ExperimentResult<ModPoint, ModValues>
    {
        ExperimentResult(point: ModPoint(kind: kind, task: nil, variant: variant, length: length),
                         values: ModValues(forwardFLOPs: flops, seconds: seconds, curve: []))
    }

    @Test func claimsFromStoredPoints() throws {
        let configuration = ModConfiguration(tasks: ["text"])
        let results = [
            trained("text", .baseline, loss: 2.0), trained("text", .learned, loss: 2.02), trained("text", .random, loss: 2.3),
            timed(.forward, .baseline, length: 2048, flops: 1000, seconds: 1), timed(.forward, .learned, length: 2048, flops: 550, seconds: 0.7),
        ] + [1024, 2048, 4096].map { timed(.attention, .learned, length: $0, flops: 1, seconds: 1e-9 * Double($0 * $0)) }
        let analysis = ModAnalysis(configuration: configuration, results: results).analysis()
        #expect(analysis.claims.map(\.verdict) == [.supported, .notSupported, .supported, .supported, .supported])
        #expect(abs(analysis.claims[0].measured - 0.55) < 1e-12)
        #expect(abs(analysis.claims[2].measured - 0.01) < 1e-9)
        #expect(abs(analysis.claims[4].measured - 2) < 1e-6)
        #expect(analysis.table.rows.count == results.count && analysis.plots.count == 2)
        let empty = ModAnalysis(configuration: configuration, results: []).analysis()
        #expect(empty.claims.allSatisfy { $0.verdict == .inconclusive })
    }

    @Test func tinySweepMeasuresEveryPoint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let experiment = try ModExperiment(configuration: tiny)
        let outcome = try SweepRunner(store: store, machine: testMachine).run(experiment)
        #expect(outcome.measuredPoints == experiment.points.count)
        let values = try experiment.results(from: store.measurements(experiment: "mod"))
        let learned = values.filter { $0.point.kind == .train && $0.point.variant == .learned }.map(\.values)
        #expect(learned.count == 2 && learned.allSatisfy { ($0.predictorAccuracy ?? -1) >= 0 && $0.causalValidationLoss != nil })
        #expect(values.allSatisfy { $0.values.seconds > 0 })
        #expect(experiment.analyse(values).claims.count == 2 + 2 * 2 + 1)
    }
}
