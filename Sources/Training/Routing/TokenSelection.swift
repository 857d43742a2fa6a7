import Kernels

/// Which k of a sequence's N tokens a routed block processes; every function returns positions in
/// increasing order, so the gathered sub-sequence keeps the causal order.
enum TokenSelection {
    /// The k highest scores, ties to the lower position. Cost: O(N log N).
    static func topK<Score: Comparable>(_ scores: [Score], _ k: Int) -> [Int] {
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return ranked.prefix(k).sorted()
    }

    /// k positions drawn uniformly without replacement (a partial Fisher–Yates shuffle) by a generator
    /// seeded from `seed`, `block`, `draw` and `example`, so a forward pass and its reference agree. Cost: O(N).
    static func random(length: Int, _ k: Int, seed: UInt64, block: Int, draw: Int, example: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed &+ UInt64(block) &* 0x9E37_79B9_7F4A_7C15
                                        &+ UInt64(draw) &* 0xBF58_476D_1CE4_E5B9 &+ UInt64(example) &* 0x94D0_49BB_1331_11EB)
        var positions = Array(0..<length)
        for i in 0..<k { positions.swapAt(i, Int.random(in: i..<length, using: &generator)) }
        return positions.prefix(k).sorted()
    }

    /// The causal rule for sampling: positions whose predictor logit is positive (probability > 0.5), in
    /// order, at most k (the first k once the budget is spent). Position i's choice reads positions ≤ i only.
    static func causal(logits: [Float], _ k: Int) -> [Int] {
        Array(logits.indices.filter { logits[$0] > 0 }.prefix(k))
    }
}
