import Testing
import Kernels
@testable import Attention

@Suite("The backward pass written into kept gradient buffers")
struct GradientReuseTests {
    /// The inputs of one backward call: `c` with `slots` depth slots (0: none) and its forward result.
    private struct Call {
        let c: AttentionCase
        let depth: DepthSlots?
        let forward: AttentionResult

        init(_ c: AttentionCase, slots: Int = 0) throws {
            self.c = c
            depth = slots > 0 ? DepthCase(base: c, slots: slots).depth : nil
            forward = try scaledDotProductAttention(
                queries: c.queries, keys: c.keys, values: c.values, depth: depth, mask: c.attentionMask, scale: c.scale)
        }

        func fresh() throws -> AttentionGradients {
            try scaledDotProductAttentionBackward(
                queries: c.queries, keys: c.keys, values: c.values, depth: depth, forward: forward,
                gradOutput: c.gradOutput, mask: c.attentionMask, scale: c.scale)
        }

        func write(into gradients: inout AttentionGradients) throws {
            try scaledDotProductAttentionBackward(
                queries: c.queries, keys: c.keys, values: c.values, depth: depth, forward: forward,
                gradOutput: c.gradOutput, mask: c.attentionMask, scale: c.scale, into: &gradients)
        }
    }

    private func elements(_ tensor: Tensor<Float>) -> [Float] { tensor.withUnsafeBufferPointer(Array.init) }

    @Test("buffers holding another call's gradients are overwritten with the same bits as fresh ones", arguments: [0, 3])
    func reusedBuffersMatchFreshOnes(slots: Int) throws {
        let first = try Call(AttentionCase(queryLength: 65, keyLength: 17, headDimension: 7, mask: .none, seed: 3), slots: slots)
        let second = try Call(AttentionCase(queryLength: 65, keyLength: 17, headDimension: 7, mask: .causal, seed: 11), slots: slots)
        var kept = try first.fresh()
        try second.write(into: &kept)
        let expected = try second.fresh()
        #expect(kept.tensors.count == (slots > 0 ? 5 : 3))
        #expect(kept.tensors.map(\.shape) == expected.tensors.map(\.shape))
        #expect(kept.tensors.map(elements) == expected.tensors.map(elements))
    }

    @Test("a copy the caller kept of a buffer is not written over")
    func keptCopyIsUnchanged() throws {
        let first = try Call(AttentionCase(queryLength: 7, keyLength: 7, headDimension: 5, mask: .none, seed: 5))
        let second = try Call(AttentionCase(queryLength: 7, keyLength: 7, headDimension: 5, mask: .causal, seed: 9))
        var gradients = try first.fresh()
        let copy = gradients.queries
        try second.write(into: &gradients)
        #expect(elements(copy) == elements(try first.fresh().queries))
        #expect(elements(gradients.queries) == elements(try second.fresh().queries))
    }

    @Test("buffers of other shapes, or without the depth slots' gradients, are refused")
    func refusesMismatchedBuffers() throws {
        let call = try Call(AttentionCase(queryLength: 7, keyLength: 7, headDimension: 5, mask: .none, seed: 5), slots: 2)
        var wrongShape = try Call(AttentionCase(queryLength: 6, keyLength: 7, headDimension: 5, mask: .none, seed: 5)).fresh()
        #expect(throws: AttentionError.self) { try call.write(into: &wrongShape) }
        var noSlots = try Call(AttentionCase(queryLength: 7, keyLength: 7, headDimension: 5, mask: .none, seed: 5)).fresh()
        #expect(throws: AttentionError.self) { try call.write(into: &noSlots) }
    }
}
