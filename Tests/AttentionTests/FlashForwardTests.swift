import Testing
import Kernels
@testable import Attention

@Suite("Flash attention forward against the Float64 reference")
struct FlashForwardTests {
    static let tolerance = 2e-5

    /// Seeded random configurations covering every option: masks, scales, grouped heads, N_q ≠ N_kv,
    /// head dimensions 1…256 and sequence lengths that are not multiples of the tiles.
    static let cases: [AttentionCase] = {
        var generator = SeededGenerator(seed: 99)
        func pick<T>(_ values: [T]) -> T { values[Int(generator.next() % UInt64(values.count))] }
        let lengths = [1, 2, 17, 63, 65, 97, 130, 255]
        let dims = [1, 3, 16, 40, 64, 80, 128, 256]
        let masks: [AttentionCase.MaskKind] = [.none, .causal, .window(1), .window(7), .window(100), .additive, .boolean]
        var cases: [AttentionCase] = []
        for index in 0..<190 {
            let kvHeads = pick([1, 2])
            var c = AttentionCase(
                batch: pick([1, 2]), queryHeads: kvHeads * pick([1, 3]), keyValueHeads: kvHeads,
                queryLength: pick(lengths), keyLength: pick(lengths), headDimension: dims[index % dims.count],
                mask: masks[index % masks.count], seed: UInt64(index) * 10)
            // Unit-scale inputs: scale 1 (no scaling) only where D is small enough to keep logits O(1)-O(10);
            // the papers' 1/D everywhere.
            c.scale = pick([nil, 1 / Float(c.headDimension), c.headDimension <= 16 ? 1 : nil])
            if index % 4 == 0 { c.keyLength = c.queryLength }
            cases.append(c)
        }
        cases.append(AttentionCase(queryHeads: 2, queryLength: 1000, keyLength: 1000, headDimension: 64, mask: .causal))
        cases.append(AttentionCase(queryLength: 1000, keyLength: 333, headDimension: 40))
        return cases
    }()

    @Test("output and log-sum-exp within 2e-5", arguments: cases)
    func matchesReference(_ c: AttentionCase) throws {
        let mask = c.attentionMask
        let fast = try scaledDotProductAttention(queries: c.queries, keys: c.keys, values: c.values, mask: mask, scale: c.scale)
        let reference = try ReferenceAttention.forward(
            queries: c.queries.converted(), keys: c.keys.converted(), values: c.values.converted(),
            mask: mask, scale: c.scale.map(Double.init))
        #expect(maxAbsDifference(fast.output, reference.output) <= Self.tolerance, "\(c)")
        #expect(maxAbsDifference(fast.logSumExp, reference.logSumExp) <= 1e-4, "\(c)")
    }

    @Test("a query that sees no key returns zeros and −∞ log-sum-exp")
    func fullyMaskedRows() throws {
        let c = AttentionCase(queryLength: 9, keyLength: 70, headDimension: 8)
        var allowed = [Bool](repeating: true, count: 9 * 70)
        for j in 0..<70 { allowed[4 * 70 + j] = false }
        let result = try scaledDotProductAttention(
            queries: c.queries, keys: c.keys, values: c.values, mask: .allowing(allowed, queries: 9, keys: 70))
        let row = result.output.slice(0).slice(0).slice(4)
        #expect(row.elements.allSatisfy { $0 == 0 })
        #expect(result.logSumExp.elements[4] == -.infinity)
        #expect(result.output.elements.allSatisfy { $0.isFinite })
    }

    @Test("logits as large as ±1e4 stay exact")
    func largeLogits() throws {
        var c = AttentionCase(queryLength: 33, keyLength: 129, headDimension: 4, scale: 1)
        c.seed = 5
        let q = c.queries.mapped { $0 * 100 }, k = c.keys.mapped { $0 * 100 }
        let fast = try scaledDotProductAttention(queries: q, keys: k, values: c.values, scale: 1)
        let reference = try ReferenceAttention.forward(queries: q.converted(), keys: k.converted(), values: c.values.converted(), scale: 1)
        #expect(maxAbsDifference(fast.output, reference.output) <= Self.tolerance)
    }

    @Test("NaN in one query row affects only that row")
    func nanIsolation() throws {
        let c = AttentionCase(queryLength: 70, keyLength: 50, headDimension: 16)
        var q = c.queries
        q[0, 0, 3, 5] = .nan
        let result = try scaledDotProductAttention(queries: q, keys: c.keys, values: c.values)
        for i in 0..<70 {
            let row = result.output.slice(0).slice(0).slice(i).elements
            #expect(row.allSatisfy { $0.isNaN } == (i == 3), "row \(i)")
        }
    }

    @Test("mismatched shapes are errors naming both shapes")
    func shapeErrors() {
        let q = Tensor<Float>(zeros: [2, 5, 8]), k = Tensor<Float>(zeros: [2, 6, 4])
        #expect(throws: AttentionError.self) { try scaledDotProductAttention(queries: q, keys: k, values: k) }
        #expect(throws: AttentionError.self) {
            try scaledDotProductAttention(queries: Tensor<Float>(zeros: [5, 8]), keys: k, values: k)
        }
        #expect(throws: AttentionError.self) {
            try scaledDotProductAttention(queries: Tensor<Float>(zeros: [3, 5, 4]), keys: k, values: k)
        }
        #expect(throws: AttentionError.self) {
            try scaledDotProductAttention(queries: Tensor<Float>(zeros: [2, 5, 4]), keys: k, values: k, mask: .slidingWindow(0))
        }
    }
}
