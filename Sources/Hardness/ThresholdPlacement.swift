/// Where a pair construction compares scores: a value τ strictly between the non-witness level and the
/// witness level (the achievable scores nearest to the threshold t on either side of the decision), and the
/// distance g between those two levels.
///
/// Every witness then scores at least g/2 beyond τ and every other pair at least g/2 short of it, however
/// close t lies to an achievable score: a t equal to an achievable cosine up to rounding (t = 0.8 and
/// cos = 4/5) is decided by the exact comparison, like `BruteForce`, instead of leaving a gap of zero.
struct ThresholdPlacement: Equatable {
    /// τ: the score a pair's logit is measured from.
    let threshold: Double
    /// g: the distance between the witness and non-witness levels (1 for inner products).
    let gap: Double

    /// For integer scores: t ∓ 1/2 ("≥ t": witnesses score ≥ t, the others ≤ t − 1).
    static func innerProduct(threshold t: Double, comparison: HardnessProblem.Comparison) -> ThresholdPlacement {
        ThresholdPlacement(threshold: comparison == .atLeast ? t - 0.5 : t + 0.5, gap: 1)
    }

    /// For cosines at dimension d: the midpoint of `Cosine.levels`, or half a unit beyond the one level
    /// that exists when every (or no) achievable cosine is a witness.
    /// - Throws: `ConstructionError.thresholdUnresolvable` when no `Double` lies strictly between the levels.
    static func cosine(threshold t: Double, comparison: HardnessProblem.Comparison,
                       dimension d: Int) throws -> ThresholdPlacement {
        let (witness, nonWitness) = Cosine.levels(threshold: t, comparison: comparison, dimension: d)
        let towardsWitnesses: Double = comparison == .atLeast ? 1 : -1
        guard let witness else { return ThresholdPlacement(threshold: nonWitness!.value + towardsWitnesses / 2, gap: 1) }
        guard let nonWitness else { return ThresholdPlacement(threshold: witness.value - towardsWitnesses / 2, gap: 1) }
        let (low, high) = comparison == .atLeast ? (nonWitness, witness) : (witness, nonWitness)
        guard let middle = midpointThreshold(low, high) else {
            throw ConstructionError.thresholdUnresolvable(threshold: t, low: low.description, high: high.description)
        }
        return ThresholdPlacement(threshold: middle, gap: high.value - low.value)
    }
}
