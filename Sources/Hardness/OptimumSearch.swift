/// Whether the optimisation form of a problem seeks the largest or the smallest score.
public enum OptimumGoal: String, Sendable, Codable {
    case maximum
    case minimum
}

/// The optimum of an optimisation problem found by binary search over its decision form, in
/// ⌈log2(count + 1)⌉ calls of `decide` — how a transformer that answers "is there a witness with score
/// ≥ t (≤ t)?" also finds the most (least) similar pair.
///
/// - Parameters:
///   - thresholds: candidate thresholds in ascending order (`candidateThresholds(for:dimension:)`).
///   - goal: `.maximum`: `decide(t)` is "some score ≥ t", true on a prefix of `thresholds`; returns the
///     largest accepted t. `.minimum`: `decide(t)` is "some score ≤ t", true on a suffix; returns the
///     smallest accepted t.
/// - Returns: that threshold, or nil when `decide` accepts none.
public func searchOptimum<Threshold>(thresholds: [Threshold], goal: OptimumGoal,
                                     decide: (Threshold) throws -> Bool) rethrows -> Threshold? {
    // Invariant: every index < low has the answer of the prefix (.maximum) or not of the suffix
    // (.minimum); every index ≥ high the other one.
    let acceptedFirst = goal == .maximum
    var low = 0, high = thresholds.count
    while low < high {
        let middle = low + (high - low) / 2
        if try decide(thresholds[middle]) == acceptedFirst { low = middle + 1 } else { high = middle }
    }
    if acceptedFirst { return low > 0 ? thresholds[low - 1] : nil }
    return low < thresholds.count ? thresholds[low] : nil
}

/// Every threshold at which the decision form of `problem` can change its answer at dimension d, in
/// ascending order, so that `searchOptimum` over them returns the optimum exactly:
/// - inner products: the integers 0…d;
/// - cosines: every achievable ip/√(pa·pb) (1 ≤ pa, pb ≤ d, 0 ≤ ip ≤ min(pa, pb)), rounded down for MSD
///   (so the optimal pair still meets "≥ t") and up for LSD (so it meets "≤ t"), without repeats;
/// - empty for the problems without threshold. Cost O(d³ log d) for cosines.
public func candidateThresholds(for problem: HardnessProblem, dimension d: Int) -> [Double] {
    guard problem.needsThreshold else { return [] }
    guard problem.score == .cosine else { return (0...max(0, d)).map(Double.init) }
    var values = Set<Double>()
    for pa in stride(from: 1, through: d, by: 1) {
        for pb in pa...d {
            for ip in 0...pa {
                let cosine = Cosine(innerProduct: ip, normProduct: pa * pb)
                values.insert(problem.comparison == .atLeast ? cosine.roundedDown : cosine.roundedUp)
            }
        }
    }
    return values.sorted()
}
