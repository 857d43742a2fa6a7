import Testing
@testable import Training

/// The routed blocks' token choices: top-k ties, the random draws, the causal predictor rule.
@Suite struct TokenSelectionTests {
    @Test func topKKeepsPositionOrderAndBreaksTiesToTheLowerPosition() {
        #expect(TokenSelection.topK([0.5, 2, -1, 2, 0.5, 3], 3) == [1, 3, 5])
        #expect(TokenSelection.topK([Float](repeating: 0, count: 7), 3) == [0, 1, 2])
        #expect(TokenSelection.topK([1.0, 0.5, 0.5, 0.5], 2) == [0, 1])
        #expect(TokenSelection.topK([4.0, 1, 3], 3) == [0, 1, 2])
    }

    @Test func randomDrawsAreDistinctSortedAndRepeatable() {
        let draw = TokenSelection.random(length: 17, 5, seed: 3, block: 1, draw: 4, example: 2)
        #expect(draw.count == 5 && Set(draw).count == 5 && draw == draw.sorted() && draw.allSatisfy { (0..<17).contains($0) })
        #expect(draw == TokenSelection.random(length: 17, 5, seed: 3, block: 1, draw: 4, example: 2))
        let others = (0..<8).map { TokenSelection.random(length: 17, 5, seed: 3, block: 1, draw: $0, example: 2) }
        #expect(Set(others).count > 1)
        #expect(TokenSelection.random(length: 7, 7, seed: 0, block: 0, draw: 0, example: 0) == Array(0..<7))
    }

    @Test func causalRuleTakesPositiveLogitsInOrderUpToTheBudget() {
        #expect(TokenSelection.causal(logits: [-1, 2, 0, 0.5, 3, 1], 2) == [1, 3])
        #expect(TokenSelection.causal(logits: [-1, -2, 0], 2) == [])
        #expect(TokenSelection.causal(logits: [1, -2, 4], 3) == [0, 2])
    }
}
