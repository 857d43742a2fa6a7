import Foundation

extension Cosine {
    /// How far the threshold t lies from the nearest cosine that is *not* a witness at dimension d: for
    /// "cos ≥ t" (MSD) t minus the largest achievable cosine below t, for "cos ≤ t" (LSD) the smallest
    /// achievable cosine above t minus t. nil when no achievable cosine is on that side (every pair is
    /// a witness, e.g. MSD at t = 0).
    ///
    /// Achievable means ip/√(pa·pb) for two 0/1 vectors of dimension d with popcounts 1 ≤ pa ≤ pb ≤ d
    /// sharing ip ones, max(0, pa + pb − d) ≤ ip ≤ pa. Compared exactly (`Cosine`); the gap itself is
    /// a Double (error ~1e-16). Cost O(d²).
    public static func nonWitnessGap(threshold t: Double, comparison: HardnessProblem.Comparison,
                                     dimension d: Int) -> Double? {
        var gap: Double?
        for pa in stride(from: 1, through: d, by: 1) {
            for pb in pa...d {
                let p = pa * pb, lowest = max(0, pa + pb - d)
                var x: Int
                if comparison == .atLeast {
                    x = maximumInnerProduct(normProduct: p, atMost: t)
                    if signOfSquareDifference(innerProduct: x, normProduct: p, threshold: t) == 0 { x -= 1 }
                    x = min(x, pa)
                    guard x >= lowest else { continue }
                } else {
                    x = minimumInnerProduct(normProduct: p, atLeast: t)
                    if signOfSquareDifference(innerProduct: x, normProduct: p, threshold: t) == 0 { x += 1 }
                    x = max(x, lowest)
                    guard x <= pa else { continue }
                }
                let distance = abs(Double(x) / Double(p).squareRoot() - t)
                gap = min(gap ?? distance, distance)
            }
        }
        return gap
    }
}
