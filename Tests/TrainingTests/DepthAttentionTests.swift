import Attention
import Foundation
import Kernels
import Testing
@testable import Training

/// MoDA depth keys in models (`DepthAttentionBlocks`): whole-model gradients against finite differences
/// of the Float64 reference on odd sizes, the depth-mass diagnostic against the reference attention, and
/// the option's validation and JSON.
@Suite struct DepthAttentionTests {
    /// A causal character model on N = 7 tokens with 2 heads.
    private func textModel(layers: Int, width: Int, norm: NormPlacement, feedForwardSlots: Bool) throws
        -> (ModelDescription, TaskDescription)
    {
        let task = TaskDescription.text(try TextTask(path: nil, context: 7))
        var model = task.defaultModel(layers: layers, heads: 2, width: width, norm: norm)
        model.mlpHidden = 5
        model.depthAttention = DepthAttentionDescription(feedForwardSlots: feedForwardSlots)
        return (model, task)
    }

    @Test(arguments: [(3, 12, NormPlacement.pre, true), (2, 8, .pre, false), (3, 8, .post, true), (2, 12, .post, false)])
    func modelGradients(layers: Int, width: Int, norm: NormPlacement, feedForwardSlots: Bool) throws {
        let (model, task) = try textModel(layers: layers, width: width, norm: norm, feedForwardSlots: feedForwardSlots)
        try checkModelGradients(model, task: task, batch: 3, samples: 4)
    }

    @Test func depthMassMatchesReferenceAttention() throws {
        let (batch, heads, length, d, width) = (2, 2, 7, 4, 8)
        let harness = LayerHarness()
        let cache = DepthCache(slots: 2, heads: heads, length: length, headDimension: d, batch: batch)
        let layer = DepthAttentionLayer("attention", slot: 1, cache: cache, width: width, mask: .causal, batch: batch,
                                        parameters: harness.parameters)
        let context = harness.initialize()
        let slotCount = batch * heads * length * d
        cache.keys(0).update(from: randomValues(slotCount, seed: 3), count: slotCount)
        cache.values(0).update(from: randomValues(slotCount, seed: 4), count: slotCount)
        let x = randomValues(batch * length * width, seed: 5)
        _ = x.withUnsafeBufferPointer { layer.forward($0.baseAddress!, batch: batch, context) }
        let share = layer.depthMassShare(batch: batch)

        // With sequence values 0 and depth values 1 the attention output is the probability on the slots.
        let projected = layer.projection.reference(x.map(Double.init), rows: batch * length, parameters: harness.flatParameters)
        let layout = HeadMajorLayout(heads: heads, length: length, headDimension: d)
        let depthKeys = Tensor<Float>(shape: [batch, heads, length, 1, d],
                                      elements: Array(UnsafeBufferPointer(start: cache.keys(0), count: slotCount)))
        let output = try ReferenceAttention.forward(
            queries: layout.referenceHeads(projected, part: 0, parts: 3, batch: batch),
            keys: layout.referenceHeads(projected, part: 1, parts: 3, batch: batch),
            values: Tensor(zeros: [batch, heads, length, d]),
            depth: (depthKeys.converted(to: Double.self), Tensor(repeating: 1, shape: [batch, heads, length, 1, d])),
            mask: .causal, scale: 0.5).output
        let expected = stride(from: 0, to: output.count, by: d).reduce(0.0) { $0 + output.elements[$1] } / Double(output.count / d)
        #expect(share > 0.01 && share < 1)
        #expect(abs(share - expected) <= 1e-5, "depth mass \(share), reference \(expected)")
    }

    @Test func diagnosticPerLayerOfATrainingModel() throws {
        let (model, task) = try textModel(layers: 3, width: 8, norm: .pre, feedForwardSlots: true)
        let training = try TrainingModel(model, batchSize: 3, shards: 2, seed: 1)
        let data = try task.prepare(seed: 2)
        let examples = training.makeBatch()
        for slot in 0..<3 { data.fill(examples, slot: slot, split: .validation, index: slot) }
        examples.count = 3
        let shares = try #require(training.depthAttentionMass(examples, threads: 2))
        #expect(shares.count == 3)
        #expect(shares[0] == 0)
        #expect(shares[1...].allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func optionValidationAndOldJSON() throws {
        var (model, _) = try textModel(layers: 2, width: 8, norm: .pre, feedForwardSlots: true)
        try model.validate()
        model.mixer = .linear
        #expect(throws: TrainingError.invalidOption("depth keys need the exact mixer, got --mixer linear")) { try model.validate() }
        model.mixer = .exact
        model.mlpHidden = nil
        #expect(throws: TrainingError.self) { try model.validate() }

        model.depthAttention = nil
        let json = try JSONEncoder().encode(model)
        let old = try #require(String(data: json, encoding: .utf8))
        #expect(!old.contains("depthAttention"))
        #expect(try JSONDecoder().decode(ModelDescription.self, from: json) == model)
    }
}
