import Testing
@testable import Training

/// Short runs that must learn something: the training machinery end to end.
@Suite struct LearningTests {
    @Test func dRetrievalLossFalls() throws {
        let task = TaskDescription.dRetrieval(DRetrievalTask(length: 8, trainSamples: 512, validationSamples: 256))
        let configuration = TrainingConfiguration(task: task, model: task.defaultModel(heads: 4), steps: 120, batchSize: 32,
                                                  learningRate: 3e-3, seed: 3)
        let result = try train(configuration).result
        #expect(result.metric == .nmse)
        #expect(result.lossCurve.count == 120)
        #expect(result.validationMetric < 0.5)
        let early: Float = result.lossCurve.prefix(10).reduce(0, +)
        let late: Float = result.lossCurve.suffix(10).reduce(0, +)
        #expect(late < early / 2)
    }

    @Test func recallIsLearnedByTwoAttentionLayers() throws {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 32, length: 24, pairs: 3, trainSamples: 4000, validationSamples: 128))
        let configuration = TrainingConfiguration(task: task, model: task.defaultModel(layers: 2, heads: 1, width: 32),
                                                  steps: 300, batchSize: 32, learningRate: 3e-3, seed: 1)
        let result = try train(configuration).result
        #expect(result.validationMetric > 0.5, "MQAR accuracy \(result.validationMetric)")
    }

    @Test(arguments: [MixerChoice.gla, .based, .mamba(stateSize: 8)])
    func recallLossFallsWithSubquadraticMixers(_ mixer: MixerChoice) throws {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 16, length: 16, pairs: 2, trainSamples: 2000, validationSamples: 32))
        let configuration = TrainingConfiguration(task: task, model: task.defaultModel(layers: 2, heads: 1, width: 16, mixer: mixer),
                                                  steps: 80, batchSize: 16, learningRate: 3e-3, seed: 1)
        let result = try train(configuration).result
        let early: Float = result.lossCurve.prefix(10).reduce(0, +)
        let late: Float = result.lossCurve.suffix(10).reduce(0, +)
        #expect(late < 0.8 * early, "\(mixer): loss \(early / 10) → \(late / 10)")
    }
}
