extension Cosine {
    /// The two achievable cosines at dimension d nearest to the threshold t on either side of the decision:
    /// the witness level (the achievable cosine closest to t that meets the comparison: the smallest one
    /// ≥ t for "cos ≥ t", the largest one ≤ t for "cos ≤ t") and the non-witness level (the closest one
    /// that does not: the largest one < t, or the smallest one > t). Either is nil when no achievable
    /// cosine lies on that side (e.g. every pair is a witness of MSD at t = 0).
    ///
    /// Achievable means ip/√(pa·pb) for two 0/1 vectors of dimension d with popcounts 1 ≤ pa ≤ pb ≤ d
    /// sharing ip ones, max(0, pa + pb − d) ≤ ip ≤ pa. Every comparison with t is exact (`Cosine`), so a t
    /// that equals an achievable cosine up to rounding lands on the side the exact comparison says.
    /// Cost O(d²).
    public static func levels(threshold t: Double, comparison: HardnessProblem.Comparison,
                              dimension d: Int) -> (witness: Cosine?, nonWitness: Cosine?) {
        var witness: Cosine?, nonWitness: Cosine?
        let atLeast = comparison == .atLeast
        for pa in stride(from: 1, through: d, by: 1) {
            for pb in pa...d {
                let p = pa * pb, lowest = max(0, pa + pb - d)
                // The inner products meeting the comparison form a range ending at `boundary`.
                var meets = atLeast ? minimumInnerProduct(normProduct: p, atLeast: t)
                                    : maximumInnerProduct(normProduct: p, atMost: t)
                var misses = atLeast ? maximumInnerProduct(normProduct: p, atMost: t)
                                     : minimumInnerProduct(normProduct: p, atLeast: t)
                if signOfSquareDifference(innerProduct: misses, normProduct: p, threshold: t) == 0 {
                    misses += atLeast ? -1 : 1
                }
                meets = atLeast ? max(meets, lowest) : min(meets, pa)
                misses = atLeast ? min(misses, pa) : max(misses, lowest)
                if (lowest...pa).contains(meets) {
                    let candidate = Cosine(innerProduct: meets, normProduct: p)
                    if witness.map({ atLeast ? candidate < $0 : candidate > $0 }) ?? true { witness = candidate }
                }
                if (lowest...pa).contains(misses) {
                    let candidate = Cosine(innerProduct: misses, normProduct: p)
                    if nonWitness.map({ atLeast ? candidate > $0 : candidate < $0 }) ?? true { nonWitness = candidate }
                }
            }
        }
        return (witness, nonWitness)
    }
}
