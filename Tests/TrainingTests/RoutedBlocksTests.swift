import Foundation
import Testing
@testable import Training

/// Mixture-of-Depths models: gradients against finite differences of the Float64 reference on odd lengths
/// and capacities (k = 1, 2, 3, N), random routing, ties, the predictor's BCE gradient and the causal switch.
@Suite struct RoutedBlocksTests {
    /// A 2-block pre-norm model on the shipped text with block 1 routed.
    private func textModel(context: Int, routing: RoutingDescription) throws -> (ModelDescription, TaskDescription) {
        let task = TaskDescription.text(try TextTask(path: nil, context: context))
        var model = task.defaultModel(layers: 2, heads: 2, width: 6)
        model.headDimension = 3
        model.mlpHidden = 5
        model.routing = routing
        return (model, task)
    }

    @Test(arguments: [(7, 0.1, 1), (7, 0.25, 2), (17, 0.15, 3), (7, 1.0, 7)])
    func learnedRoutingGradients(context: Int, capacity: Double, selected: Int) throws {
        let (model, task) = try textModel(context: context, routing: RoutingDescription(capacity: capacity))
        #expect(model.routing!.selected(of: context) == selected)
        try checkModelGradients(model, task: task, batch: 3, samples: 6)
    }

    @Test func randomRoutingGradients() throws {
        let (model, task) = try textModel(context: 17, routing: RoutingDescription(capacity: 0.2, mode: .random, seed: 4))
        try checkModelGradients(model, task: task, batch: 1, samples: 6)
    }

    @Test func everyBlockRoutedWithThreeBlocks() throws {
        var (model, task) = try textModel(context: 7, routing: RoutingDescription(capacity: 0.4, every: 1))
        model.layers = 3
        try checkModelGradients(model, task: task, batch: 2, samples: 4)
    }

    /// A zero router scores every token 0: the block takes the first k positions and the loss still
    /// matches the reference.
    @Test func equalScoresPickTheFirstPositions() throws {
        let (model, task) = try textModel(context: 17, routing: RoutingDescription(capacity: 0.15))
        let trainingModel = try TrainingModel(model, batchSize: 3, shards: 2, seed: 3)
        let router = trainingModel.parameters.entries.first { $0.name == "blocks.1.router.weight" }!
        trainingModel.parameters.buffer.pointer.advanced(by: router.offset).update(repeating: 0, count: router.count)
        let data = try task.prepare(seed: 9)
        let batch = trainingModel.makeBatch()
        for slot in 0..<3 { data.fill(batch, slot: slot, split: .training, index: slot) }
        batch.count = 3
        let loss = trainingModel.computeGradients(batch, threads: 2)
        #expect(abs(loss - trainingModel.referenceLoss(batch)) <= 1e-4 * max(1, abs(loss)))
        let diagnostics = trainingModel.routingDiagnostics()
        #expect(diagnostics.count == 1 && diagnostics[0].layer == 1 && diagnostics[0].selected == 3)
        #expect(diagnostics[0].positionCounts == [3, 3, 3] + Array(repeating: 0, count: 14))
        #expect(diagnostics[0].predictorAccuracy == nil)
    }

    @Test func predictorGradientMatchesItsBinaryCrossEntropy() {
        let harness = LayerHarness()
        let rows = 7
        let predictor = RoutingPredictor("predictor", width: 5, rows: rows, parameters: harness.parameters)
        let context = harness.initialize()
        let input = FloatBuffer(count: rows * 5)
        input.load(randomValues(rows * 5, seed: 21))
        let membership: [Float] = [1, 0, 0, 1, 0, 1, 0]
        _ = predictor.forward(input.pointer, rows: rows, context)
        membership.withUnsafeBufferPointer { predictor.score(membership: $0.baseAddress!, rows: rows) }
        predictor.backward(rows: rows, context)
        #expect(predictor.rows == rows && (0...rows).contains(predictor.correct))
        let x = input.elements.map(Double.init)
        FiniteDifferenceCheck().compareParameters(harness.parameters, gradients: harness.gradients.elements) { p in
            predictor.referenceLoss(x, membership: membership.map(Double.init), parameters: p)
        }
    }

    /// With a predictor, training reports its accuracy; the causal switch changes what is picked and
    /// never picks more than k tokens.
    @Test func predictorAccuracyAndCausalSelection() throws {
        let (model, task) = try textModel(context: 17, routing: RoutingDescription(capacity: 0.25, predictor: true))
        let trainingModel = try TrainingModel(model, batchSize: 4, shards: 2, seed: 3)
        let data = try task.prepare(seed: 9)
        let batch = trainingModel.makeBatch()
        for slot in 0..<4 { data.fill(batch, slot: slot, split: .training, index: slot) }
        batch.count = 4
        _ = trainingModel.computeGradients(batch, threads: 2)
        let accuracy = try #require(trainingModel.routingDiagnostics().first?.predictorAccuracy)
        #expect((0...1).contains(accuracy))
        try trainingModel.selectCausally(true)
        _ = trainingModel.evaluate(batch, threads: 2)
        let counts = trainingModel.routingDiagnostics()[0].positionCounts
        #expect(counts.reduce(0, +) <= 4 * 5 && counts.allSatisfy { $0 <= 4 })
        try trainingModel.selectCausally(false)
        _ = trainingModel.evaluate(batch, threads: 2)
        #expect(trainingModel.routingDiagnostics()[0].positionCounts.reduce(0, +) == 4 * 5)
    }
}
