import Foundation
import Testing
@testable import Training

/// Attention Residuals (`AttentionResidualBlocks`): forward against the Float64 definition, gradients of
/// the input, the sub-layers and the queries w_c against finite differences, in full and block mode, with
/// the queries at their zero start and moved away from it.
@Suite struct AttentionResidualTests {
    /// A pre-norm causal model of `layers` blocks (attention + MLP when `mlp`), width m, N tokens.
    private func model(layers: Int, width: Int, tokens: Int, mlp: Bool = true,
                       residuals: AttentionResidualsDescription? = nil) -> ModelDescription {
        ModelDescription(input: .tokens(vocabulary: 5), tokens: tokens, layers: layers, width: width, heads: 1,
                         mlpHidden: mlp ? 3 : nil, causal: true, output: .classification(classes: 5),
                         attentionResiduals: residuals)
    }

    /// Sets every `attention_residuals.*.query` to seeded values in [−2, 2).
    private func moveQueries(_ parameters: ParameterStore) {
        for (index, entry) in parameters.entries.enumerated() where entry.name.hasPrefix("attention_residuals.") {
            let values = randomValues(entry.count, seed: 100 + UInt64(index))
            for i in 0..<entry.count { parameters.buffer.pointer[entry.offset + i] = 2 * values[i] }
        }
    }

    private func checkStack(_ mode: AttentionResidualsDescription, layers: Int, width: Int, tokens: Int, batch: Int,
                            mlp: Bool = true, movedQueries: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        let description = model(layers: layers, width: width, tokens: tokens, mlp: mlp)
        let harness = LayerHarness()
        let stack = AttentionResidualBlocks(model: description, mode: mode, batch: batch, parameters: harness.parameters)
        let count = batch * tokens * width
        checkLayer(harness: harness, inputCount: count, outputCount: count, sourceLocation: sourceLocation,
                   prepare: { if movedQueries { moveQueries($0) } },
                   forward: { stack.forward(UnsafeMutablePointer(mutating: $0), batch: batch, $1) },
                   backward: { stack.backward(UnsafeMutablePointer(mutating: $0), batch: batch, $1) },
                   reference: { stack.reference($0, batch: batch, parameters: $1) })
    }

    @Test(arguments: [false, true]) func fullMode(movedQueries: Bool) {
        checkStack(.full, layers: 2, width: 7, tokens: 3, batch: 2, movedQueries: movedQueries)
        checkStack(.full, layers: 3, width: 5, tokens: 7, batch: 1, mlp: false, movedQueries: movedQueries)
    }

    @Test(arguments: [false, true]) func blockMode(movedQueries: Bool) {
        checkStack(.block(size: 2), layers: 3, width: 5, tokens: 3, batch: 2, movedQueries: movedQueries)
        checkStack(.block(size: 3), layers: 3, width: 7, tokens: 7, batch: 1, mlp: false, movedQueries: movedQueries)
        checkStack(.block(size: 6), layers: 3, width: 5, tokens: 3, batch: 1, movedQueries: movedQueries)
    }

    /// I_c: the embedding, completed block ends, and the partial sum when c − 1 ends no block.
    @Test func sourcesOfEachConsumer() {
        #expect(AttentionResidualBlocks.sourceIndices(4, blockSize: 1) == [0, 1, 2, 3])
        #expect(AttentionResidualBlocks.sourceIndices(2, blockSize: 2) == [0, 1])
        #expect(AttentionResidualBlocks.sourceIndices(3, blockSize: 2) == [0, 2])
        #expect(AttentionResidualBlocks.sourceIndices(6, blockSize: 2) == [0, 2, 4, 5])
        #expect(AttentionResidualBlocks.sourceIndices(7, blockSize: 3) == [0, 3, 6])
    }

    /// Block size 1 sums nothing: the same function as full mode, bit for bit.
    @Test func blockSizeOneIsFullMode() {
        let description = model(layers: 2, width: 7, tokens: 3)
        let outputs = [AttentionResidualsDescription.full, .block(size: 1)].map { mode -> [Float] in
            let harness = LayerHarness()
            let stack = AttentionResidualBlocks(model: description, mode: mode, batch: 1, parameters: harness.parameters)
            let context = harness.initialize()
            moveQueries(harness.parameters)
            let input = FloatBuffer(count: 21)
            input.load(randomValues(21, seed: 3))
            let y = stack.forward(input.pointer, batch: 1, context)
            return Array(UnsafeBufferPointer(start: y, count: 21))
        }
        #expect(outputs[0] == outputs[1])
    }

    @Test func wholeModelGradients() throws {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 11, length: 9, pairs: 2, trainSamples: 10, validationSamples: 2))
        for mode in [AttentionResidualsDescription.full, .block(size: 2)] {
            var description = task.defaultModel(layers: 2, heads: 1, width: 5)
            description.mlpHidden = 3
            description.attentionResiduals = mode
            try checkModelGradients(description, task: task, batch: 3, samples: 6)
        }
    }

    @Test func optionsAreValidated() {
        var post = model(layers: 2, width: 5, tokens: 3, residuals: .full)
        post.norm = .post
        #expect(throws: TrainingError.invalidOption("attention residuals need pre-norm blocks, got norm post")) { try post.validate() }
        #expect(throws: TrainingError.self) { try model(layers: 2, width: 5, tokens: 3, residuals: .block(size: 3)).validate() }
        #expect(throws: TrainingError.self) { try model(layers: 2, width: 5, tokens: 3, residuals: .block(size: 0)).validate() }
        #expect(throws: Never.self) { try model(layers: 3, width: 5, tokens: 3, residuals: .block(size: 3)).validate() }
        #expect(AttentionResidualsDescription(argument: "block:4") == .block(size: 4))
        #expect(AttentionResidualsDescription(argument: "full") == .full)
        #expect(AttentionResidualsDescription(argument: "block") == nil)
        #expect(AttentionResidualsDescription(argument: "block:x") == nil)
    }

    /// A description stored before the option existed decodes with it off; one with it round-trips.
    @Test func descriptionsDecodeWithAndWithoutTheOption() throws {
        let plain = model(layers: 2, width: 5, tokens: 3)
        let json = try JSONEncoder().encode(plain)
        var object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        object.removeValue(forKey: "attentionResiduals")
        let old = try JSONDecoder().decode(ModelDescription.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old == plain && old.attentionResiduals == nil)
        let block = model(layers: 2, width: 5, tokens: 3, residuals: .block(size: 2))
        #expect(try JSONDecoder().decode(ModelDescription.self, from: JSONEncoder().encode(block)) == block)
    }
}
