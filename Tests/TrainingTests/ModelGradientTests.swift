import Testing
@testable import Training

/// Whole models: the gradient of the batch loss, summed over two replicas, against finite differences
/// of the model's Float64 reference loss.
@Suite struct ModelGradientTests {
    private func check(_ description: ModelDescription, task: TaskDescription, batch: Int = 5,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        try checkModelGradients(description, task: task, batch: batch, samples: 8, sourceLocation: sourceLocation)
    }

    @Test func dRetrievalArchitecture() throws {
        let task = DRetrievalTask(length: 5, targets: 3, trainSamples: 10, validationSamples: 4)
        try check(.dRetrieval(heads: 3, length: 5, headDimension: 3, hidden: 7), task: .dRetrieval(task))
    }

    @Test func preNormTransformerOnRecall() throws {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 11, length: 9, pairs: 2, trainSamples: 10, validationSamples: 2))
        var model = task.defaultModel(layers: 2, heads: 3, width: 9)
        model.headDimension = 3
        model.mlpHidden = 7
        try check(model, task: task)
    }

    @Test func postNormWindowedRMSNormOnCopy() throws {
        let task = TaskDescription.copy(CopyTask(minLength: 2, maxLength: 3, trainSamples: 10, validationSamples: 2))
        var model = task.defaultModel(layers: 1, heads: 1, width: 7, norm: .post, mixer: .window(3))
        model.normKind = .rmsNorm
        model.mlpHidden = 5
        model.mlpActivation = .silu
        try check(model, task: task)
    }
}
