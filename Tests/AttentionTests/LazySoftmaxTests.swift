import Foundation
import Testing
import Kernels
@testable import Attention

@Suite("The forward's log2-unit exp and lazily rescaled online softmax")
struct LazySoftmaxTests {
    @Test("softmaxExp2 is within 2.5e-7 relative of 2^x on [−126, 16]; −127 and below give 0")
    func exp2Accuracy() {
        var worst = 0.0
        let count = 1 << 18, lanes = InstructionSet.vectorLanes
        for start in stride(from: 0, to: count, by: lanes) {
            let x = FloatVector((0..<lanes).map { Float(-126 + 142 * Double(start + $0) / Double(count)) })
            let y = softmaxExp2(x)
            for lane in 0..<lanes {
                let exact = Foundation.exp2(Double(x[lane]))
                worst = max(worst, abs(Double(y[lane]) - exact) / exact)
            }
        }
        #expect(worst <= 2.5e-7, "max relative error \(worst)")
        let special = softmaxExp2(FloatVector((0..<lanes).map { [-.infinity, -127, -1000, .nan][$0 % 4] }))
        for lane in 0..<lanes {
            #expect(lane % 4 == 3 ? special[lane].isNaN : special[lane] == 0, "lane \(lane): \(special[lane])")
        }
    }

    /// Queries and keys whose first component adds an offset to every score of a 96-key block: the running
    /// max rises by less than the lazy limit of 16 log2 units = 11.1 (+5, +6), by more (+13, +12) or falls
    /// (reversed), so both the lazy step and its fallback run. Scores up to ≈ 40 carry float32 rounding of
    /// ≈ 40·2^−24 each (as in any fp32 kernel), hence 1.5× the generic output tolerance.
    @Test("scores that jump up or down from one key block to the next match the reference", arguments: [
        (1, 1, 8), (7, 97, 17), (17, 290, 8), (65, 129, 64), (129, 400, 3),
    ])
    func jumpingScores(queryLength: Int, keyLength: Int, headDimension: Int) throws {
        let c = AttentionCase(queryLength: queryLength, keyLength: keyLength, headDimension: headDimension, seed: 7)
        var queries = c.queries
        for i in 0..<queryLength { queries[0, 0, i, 0] = 1 }
        for offsets: [Float] in [[0, 5, 18, 30, 36], [36, 30, 18, 5, 0]] {
            var keys = c.keys
            for j in 0..<keyLength { keys[0, 0, j, 0] = offsets[j / FlashTile.keys] * Float(headDimension).squareRoot() }
            for mask in [AttentionMask.none, .causal] {
                let fast = try scaledDotProductAttention(queries: queries, keys: keys, values: c.values, mask: mask)
                let reference = try ReferenceAttention.forward(
                    queries: queries.converted(), keys: keys.converted(), values: c.values.converted(), mask: mask)
                #expect(maxAbsDifference(fast.output, reference.output) <= 1.5 * FlashForwardTests.tolerance, "\(c) \(offsets)")
                #expect(maxAbsDifference(fast.logSumExp, reference.logSumExp) <= 1e-4, "\(c) \(offsets)")
            }
        }
    }
}
