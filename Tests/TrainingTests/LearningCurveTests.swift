import Testing
@testable import Training

/// The validation points of `train(curvePoints:)`.
@Suite struct LearningCurveTests {
    @Test func curveStepsAreEvenAndEndAtTheLastStep() {
        #expect(CurvePoint.steps(points: 4, of: 10) == [3, 5, 8, 10])
        #expect(CurvePoint.steps(points: 20, of: 7) == [1, 2, 3, 4, 5, 6, 7])
        #expect(CurvePoint.steps(points: 0, of: 7).isEmpty)
    }

    @Test func curveMatchesTheLossesAndLeavesTheWeightsAlone() throws {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 16, length: 9, pairs: 2, trainSamples: 64, validationSamples: 16))
        let configuration = TrainingConfiguration(task: task, model: task.defaultModel(layers: 1, heads: 1, width: 8),
                                                  steps: 12, batchSize: 4, learningRate: 3e-3, seed: 2)
        let (plain, plainTrainer) = try train(configuration, threads: 2)
        let (curved, curvedTrainer) = try train(configuration, threads: 2, curvePoints: 3)
        #expect(plain.curve.isEmpty)
        #expect(curved.curve.map(\.step) == [4, 8, 12])
        #expect(curvedTrainer.model.parameters.flatValues == plainTrainer.model.parameters.flatValues)
        let losses = curved.lossCurve.map(Double.init)
        #expect(abs(curved.curve[1].trainLoss - losses[4..<8].reduce(0, +) / 4) < 1e-9)
        #expect(curved.curve.last!.validationLoss == curved.validationLoss)
        #expect(curved.curve.last!.validationMetric == curved.validationMetric)
    }
}
