import Testing
import Kernels
@testable import Attention

/// One attention configuration with MoDA depth slots: seeded unit-scale depth keys and values
/// `[B, H_q, N_q, S, D]`.
struct DepthCase: CustomStringConvertible, Sendable {
    var base: AttentionCase
    var slots: Int

    var description: String { "\(base) S=\(slots)" }

    var depthShape: [Int] { [base.batch, base.queryHeads, base.queryLength, slots, base.headDimension] }
    var depth: DepthSlots {
        DepthSlots(keys: .normal(depthShape, seed: base.seed + 6), values: .normal(depthShape, seed: base.seed + 7))
    }
    var referenceDepth: ReferenceAttention.Depth {
        let slots = depth
        return (slots.keys.converted(), slots.values.converted())
    }
}

@Suite("MoDA depth slots in the flash kernels against the Float64 reference")
struct DepthSlotsTests {
    /// Absolute tolerances on unit-scale inputs (measured worst cases are well below).
    static let outputTolerance = 2e-5, logSumExpTolerance = 1e-4, gradientTolerance = 2e-5

    /// Every combination of N ∈ {1, 7, 65, 129}, D ∈ {1, 17, 64}, S ∈ {1, 3, 24}, with the masks, batch
    /// sizes, grouped heads and key lengths cycling through the cases.
    static let cases: [DepthCase] = {
        let masks: [AttentionCase.MaskKind] = [.none, .causal, .window(5), .additive, .boolean]
        var cases: [DepthCase] = []
        for length in [1, 7, 65, 129] {
            for dimension in [1, 17, 64] {
                for slots in [1, 3, 24] {
                    let index = cases.count
                    let kvHeads = 1 + index % 2
                    let base = AttentionCase(
                        batch: 1 + (index / 2) % 2, queryHeads: kvHeads * (1 + (index / 3) % 2), keyValueHeads: kvHeads,
                        queryLength: length, keyLength: index % 3 == 0 ? length : [1, 7, 65, 129][(index / 3) % 4],
                        headDimension: dimension, mask: masks[index % masks.count],
                        scale: index % 4 == 1 ? 1 / Float(dimension) : nil, seed: UInt64(index) * 10 + 5)
                    cases.append(DepthCase(base: base, slots: slots))
                }
            }
        }
        return cases
    }()

    @Test("output and log-sum-exp match the reference", arguments: cases)
    func forwardMatchesReference(_ c: DepthCase) throws {
        let mask = c.base.attentionMask
        let fast = try scaledDotProductAttention(
            queries: c.base.queries, keys: c.base.keys, values: c.base.values, depth: c.depth, mask: mask, scale: c.base.scale)
        let reference = try ReferenceAttention.forward(
            queries: c.base.queries.converted(), keys: c.base.keys.converted(), values: c.base.values.converted(),
            depth: c.referenceDepth, mask: mask, scale: c.base.scale.map(Double.init))
        #expect(maxAbsDifference(fast.output, reference.output) <= Self.outputTolerance, "\(c)")
        #expect(maxAbsDifference(fast.logSumExp, reference.logSumExp) <= Self.logSumExpTolerance, "\(c)")
    }

    @Test("dQ, dK, dV and the depth slots' dK, dV match the reference", arguments: cases)
    func backwardMatchesReference(_ c: DepthCase) throws {
        let mask = c.base.attentionMask
        let (q, k, v, depth) = (c.base.queries, c.base.keys, c.base.values, c.depth)
        let forward = try scaledDotProductAttention(queries: q, keys: k, values: v, depth: depth, mask: mask, scale: c.base.scale)
        let fast = try scaledDotProductAttentionBackward(
            queries: q, keys: k, values: v, depth: depth, forward: forward, gradOutput: c.base.gradOutput,
            mask: mask, scale: c.base.scale)
        let reference = try ReferenceAttention.backward(
            queries: q.converted(), keys: k.converted(), values: v.converted(), depth: c.referenceDepth,
            gradOutput: c.base.gradOutput.converted(), mask: mask, scale: c.base.scale.map(Double.init))
        let pairs: [(String, Tensor<Float>?, Tensor<Double>?)] = [
            ("dQ", fast.queries, reference.queries), ("dK", fast.keys, reference.keys), ("dV", fast.values, reference.values),
            ("depth dK", fast.depthKeys, reference.depthKeys), ("depth dV", fast.depthValues, reference.depthValues),
        ]
        for (name, fastGradient, referenceGradient) in pairs {
            let difference = try maxAbsDifference(#require(fastGradient), #require(referenceGradient))
            #expect(difference <= Self.gradientTolerance, "\(name) \(c)")
        }
    }

    @Test("long sequences: the depth step runs per query chunk of the backward pass")
    func chunkBoundary() throws {
        let c = DepthCase(base: AttentionCase(queryLength: BackwardTile.chunk + 37, keyLength: 70, headDimension: 8, mask: .causal),
                          slots: 3)
        let (q, k, v, depth) = (c.base.queries, c.base.keys, c.base.values, c.depth)
        let forward = try scaledDotProductAttention(queries: q, keys: k, values: v, depth: depth, mask: .causal)
        let fast = try scaledDotProductAttentionBackward(
            queries: q, keys: k, values: v, depth: depth, forward: forward, gradOutput: c.base.gradOutput, mask: .causal)
        let reference = try ReferenceAttention.backward(
            queries: q.converted(), keys: k.converted(), values: v.converted(), depth: c.referenceDepth,
            gradOutput: c.base.gradOutput.converted(), mask: .causal)
        #expect(maxAbsDifference(fast.queries, reference.queries) <= Self.gradientTolerance)
        #expect(try maxAbsDifference(#require(fast.depthKeys), #require(reference.depthKeys)) <= Self.gradientTolerance)
        #expect(try maxAbsDifference(#require(fast.depthValues), #require(reference.depthValues)) <= Self.gradientTolerance)
    }

    @Test("a query that sees no sequence key attends to its depth slots alone")
    func fullyMaskedRowUsesSlots() throws {
        let base = AttentionCase(queryLength: 9, keyLength: 70, headDimension: 8)
        let c = DepthCase(base: base, slots: 3)
        var allowed = [Bool](repeating: true, count: 9 * 70)
        for j in 0..<70 { allowed[4 * 70 + j] = false }
        let mask = AttentionMask.allowing(allowed, queries: 9, keys: 70)
        let fast = try scaledDotProductAttention(
            queries: base.queries, keys: base.keys, values: base.values, depth: c.depth, mask: mask)
        // Row 4 alone: plain attention of its query over its 3 slots as the only keys.
        let depth = c.depth
        let slotsOnly = try ReferenceAttention.forward(
            queries: base.queries.slice(0).slice(0).rows(4..<5).reshaped([1, 1, 8]).converted(),
            keys: depth.keys.slice(0).slice(0).slice(4).reshaped([1, 3, 8]).converted(),
            values: depth.values.slice(0).slice(0).slice(4).reshaped([1, 3, 8]).converted())
        let row = fast.output.slice(0).slice(0).rows(4..<5).reshaped([1, 1, 8])
        #expect(maxAbsDifference(row, slotsOnly.output) <= Self.outputTolerance)
        #expect(fast.logSumExp.elements.allSatisfy { $0.isFinite })
    }

    @Test("the reference with depth slots is the plain reference with the slots appended as keys (one query)")
    func referenceAppendsKeys() throws {
        let base = AttentionCase(queryHeads: 2, keyValueHeads: 2, queryLength: 1, keyLength: 5, headDimension: 4)
        let c = DepthCase(base: base, slots: 3)
        let depth = c.referenceDepth
        let appendedKeys = concatenateRows(base.keys.converted(), depth.keys.reshaped([1, 2, 3, 4]))
        let appendedValues = concatenateRows(base.values.converted(), depth.values.reshaped([1, 2, 3, 4]))
        let withSlots = try ReferenceAttention.forward(
            queries: base.queries.converted(), keys: base.keys.converted(), values: base.values.converted(), depth: depth)
        let appended = try ReferenceAttention.forward(queries: base.queries.converted(), keys: appendedKeys, values: appendedValues)
        for (x, y) in zip(withSlots.output.elements, appended.output.elements) { #expect(abs(x - y) <= 1e-14) }
    }

    @Test("the reference's depth gradients match central finite differences")
    func referenceGradientsMatchFiniteDifferences() throws {
        for (mask, seed) in [(AttentionCase.MaskKind.causal, UInt64(3)), (.additive, 13), (.window(2), 23)] {
            let base = AttentionCase(batch: 2, queryHeads: 2, keyValueHeads: 1, queryLength: 5, keyLength: 5,
                                     headDimension: 3, mask: mask, seed: seed)
            try checkFiniteDifferences(DepthCase(base: base, slots: 2))
        }
    }

    @Test("depth slots whose shape disagrees with the queries are refused", arguments: [
        [1, 2, 7, 3, 5], [2, 1, 7, 3, 4], [2, 2, 6, 3, 4], [2, 2, 7, 3, 5], [2, 2, 7, 0, 4], [2, 2, 7, 3], [2, 7, 3, 4, 1, 1],
    ])
    func refusesBadShapes(_ shape: [Int]) {
        let base = AttentionCase(batch: 2, queryHeads: 2, queryLength: 7, keyLength: 9, headDimension: 4)
        let bad = DepthSlots(keys: Tensor(zeros: shape), values: Tensor(zeros: shape))
        #expect(throws: AttentionError.self) {
            try scaledDotProductAttention(queries: base.queries, keys: base.keys, values: base.values, depth: bad)
        }
    }

    @Test("depth keys and values of different shapes are refused")
    func refusesUnpairedShapes() {
        let base = AttentionCase(queryLength: 7, keyLength: 9, headDimension: 4)
        let depth = DepthSlots(keys: Tensor(zeros: [1, 1, 7, 3, 4]), values: Tensor(zeros: [1, 1, 7, 2, 4]))
        #expect(throws: AttentionError.self) {
            try scaledDotProductAttention(queries: base.queries, keys: base.keys, values: base.values, depth: depth)
        }
    }

    /// Central differences (h = 1e-6) of loss = Σ O ∘ dO against `ReferenceAttention.backward`, for every
    /// element of Q, K, V and the depth keys and values; tolerance 1e-7 absolute.
    private func checkFiniteDifferences(_ c: DepthCase) throws {
        let mask = c.base.attentionMask
        let q = c.base.queries.converted(to: Double.self), k = c.base.keys.converted(to: Double.self)
        let v = c.base.values.converted(to: Double.self), g = c.base.gradOutput.converted(to: Double.self)
        let depth = c.referenceDepth
        let analytic = try ReferenceAttention.backward(queries: q, keys: k, values: v, depth: depth, gradOutput: g, mask: mask)
        func loss(_ inputs: [Tensor<Double>]) throws -> Double {
            let o = try ReferenceAttention.forward(
                queries: inputs[0], keys: inputs[1], values: inputs[2], depth: (inputs[3], inputs[4]), mask: mask).output
            return zip(o.elements, g.elements).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let inputs = [q, k, v, depth.keys, depth.values]
        let gradients = try [analytic.queries, analytic.keys, analytic.values, #require(analytic.depthKeys), #require(analytic.depthValues)]
        let h = 1e-6
        for (index, gradient) in gradients.enumerated() {
            for element in 0..<inputs[index].count {
                var plus = inputs, minus = inputs
                plus[index] = perturbed(inputs[index], at: element, by: h)
                minus[index] = perturbed(inputs[index], at: element, by: -h)
                let numeric = try (loss(plus) - loss(minus)) / (2 * h)
                #expect(abs(numeric - gradient.elements[element]) <= 1e-7, "input \(index) element \(element) \(c)")
            }
        }
    }

    private func perturbed(_ tensor: Tensor<Double>, at element: Int, by h: Double) -> Tensor<Double> {
        var elements = tensor.elements
        elements[element] += h
        return Tensor(shape: tensor.shape, elements: elements)
    }

    /// `[B, H, N₁ + N₂, D]` from `[B, H, N₁, D]` and `[B, H, N₂, D]`.
    private func concatenateRows(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
        let (batch, heads, d) = (a.shape[0], a.shape[1], a.shape[3])
        var elements: [Double] = []
        for head in 0..<batch * heads {
            elements += a.reshaped([batch * heads, a.shape[2], d]).slice(head).elements
            elements += b.reshaped([batch * heads, b.shape[2], d]).slice(head).elements
        }
        return Tensor(shape: [batch, heads, a.shape[2] + b.shape[2], d], elements: elements)
    }
}
