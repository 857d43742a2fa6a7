import Testing
import Kernels
@testable import Attention

@Suite("Flash attention backward against the Float64 reference")
struct FlashBackwardTests {
    static let tolerance = 2e-5

    /// Seeded random configurations like the forward tests', smaller since the reference is O(N²·D).
    static let cases: [AttentionCase] = {
        var generator = SeededGenerator(seed: 7)
        func pick<T>(_ values: [T]) -> T { values[Int(generator.next() % UInt64(values.count))] }
        let lengths = [1, 2, 17, 47, 63, 65, 97, 130]
        let dims = [1, 3, 16, 40, 64, 80, 128, 256]
        let masks: [AttentionCase.MaskKind] = [.none, .causal, .window(1), .window(9), .window(70), .additive, .boolean]
        var cases: [AttentionCase] = []
        for index in 0..<130 {
            let kvHeads = pick([1, 2])
            var c = AttentionCase(
                batch: pick([1, 2]), queryHeads: kvHeads * pick([1, 2]), keyValueHeads: kvHeads,
                queryLength: pick(lengths), keyLength: pick(lengths), headDimension: dims[index % dims.count],
                mask: masks[index % masks.count], seed: UInt64(index) * 10 + 3)
            c.scale = pick([nil, 1 / Float(c.headDimension), c.headDimension <= 16 ? 1 : nil])
            if index % 4 == 0 { c.keyLength = c.queryLength }
            cases.append(c)
        }
        cases.append(AttentionCase(queryLength: 300, keyLength: 300, headDimension: 64, mask: .causal))
        return cases
    }()

    @Test("dQ, dK and dV within 2e-5", arguments: cases)
    func matchesReference(_ c: AttentionCase) throws {
        let mask = c.attentionMask
        let forward = try scaledDotProductAttention(queries: c.queries, keys: c.keys, values: c.values, mask: mask, scale: c.scale)
        let fast = try scaledDotProductAttentionBackward(
            queries: c.queries, keys: c.keys, values: c.values, forward: forward, gradOutput: c.gradOutput,
            mask: mask, scale: c.scale)
        let reference = try ReferenceAttention.backward(
            queries: c.queries.converted(), keys: c.keys.converted(), values: c.values.converted(),
            gradOutput: c.gradOutput.converted(), mask: mask, scale: c.scale.map(Double.init))
        #expect(maxAbsDifference(fast.queries, reference.queries) <= Self.tolerance, "dQ \(c)")
        #expect(maxAbsDifference(fast.keys, reference.keys) <= Self.tolerance, "dK \(c)")
        #expect(maxAbsDifference(fast.values, reference.values) <= Self.tolerance, "dV \(c)")
    }

    @Test("long sequences cross the query-chunk boundary")
    func chunkBoundary() throws {
        let c = AttentionCase(queryLength: BackwardTile.chunk + 37, keyLength: 70, headDimension: 8, mask: .none)
        let forward = try scaledDotProductAttention(queries: c.queries, keys: c.keys, values: c.values)
        let fast = try scaledDotProductAttentionBackward(
            queries: c.queries, keys: c.keys, values: c.values, forward: forward, gradOutput: c.gradOutput)
        let reference = try ReferenceAttention.backward(
            queries: c.queries.converted(), keys: c.keys.converted(), values: c.values.converted(),
            gradOutput: c.gradOutput.converted())
        #expect(maxAbsDifference(fast.queries, reference.queries) <= Self.tolerance)
        #expect(maxAbsDifference(fast.keys, reference.keys) <= Self.tolerance)
        #expect(maxAbsDifference(fast.values, reference.values) <= Self.tolerance)
    }

    @Test("two threads give the same bits on every run (per-thread dQ sums in a fixed order)")
    func reproducibleWithThreads() throws {
        let c = AttentionCase(queryHeads: 2, keyValueHeads: 2, queryLength: 129, keyLength: 517, headDimension: 17)
        let forward = try scaledDotProductAttention(queries: c.queries, keys: c.keys, values: c.values, threads: 2)
        let runs = try (0..<4).map { _ in
            try scaledDotProductAttentionBackward(
                queries: c.queries, keys: c.keys, values: c.values, forward: forward, gradOutput: c.gradOutput, threads: 2)
        }
        for run in runs.dropFirst() {
            #expect(run.queries == runs[0].queries)
            #expect(run.keys == runs[0].keys)
            #expect(run.values == runs[0].values)
        }
    }

    @Test("a query that sees no key gets zero gradients, never NaN")
    func fullyMaskedRowGradients() throws {
        let c = AttentionCase(queryLength: 9, keyLength: 70, headDimension: 8)
        var allowed = [Bool](repeating: true, count: 9 * 70)
        for j in 0..<70 { allowed[2 * 70 + j] = false }
        let mask = AttentionMask.allowing(allowed, queries: 9, keys: 70)
        let forward = try scaledDotProductAttention(queries: c.queries, keys: c.keys, values: c.values, mask: mask)
        let gradients = try scaledDotProductAttentionBackward(
            queries: c.queries, keys: c.keys, values: c.values, forward: forward, gradOutput: c.gradOutput, mask: mask)
        #expect(gradients.queries.slice(0).slice(0).slice(2).elements.allSatisfy { $0 == 0 })
        for g in [gradients.queries, gradients.keys, gradients.values] {
            #expect(g.elements.allSatisfy { $0.isFinite })
        }
    }
}
