extension Cosine {
    /// The nearest cosine of two non-zero vectors of dimension d that is strictly above (or below) this
    /// one — ip/√(pa·pb) over 1 ≤ pa ≤ pb ≤ d, 0 ≤ ip ≤ pa — or nil if there is none. Cost O(d²).
    func neighbour(above: Bool, dimension d: Int) -> Cosine? {
        var best: Cosine?
        for pa in stride(from: 1, through: d, by: 1) {
            for pb in pa...d {
                let p = pa * pb
                let estimate = min(pa, max(0, Int(value * Double(p).squareRoot())))
                let candidate = above ? smallestAbove(normProduct: p, limit: pa, from: estimate)
                                      : largestBelow(normProduct: p, limit: pa, from: estimate)
                if let candidate, best.map({ above ? candidate < $0 : candidate > $0 }) ?? true {
                    best = candidate
                }
            }
        }
        return best
    }

    /// The smallest ip ≤ limit with ip/√p > self, searched from `start`.
    private func smallestAbove(normProduct p: Int, limit: Int, from start: Int) -> Cosine? {
        var x = start
        while x > 0 && Cosine(innerProduct: x - 1, normProduct: p) > self { x -= 1 }
        while x <= limit && !(Cosine(innerProduct: x, normProduct: p) > self) { x += 1 }
        return x <= limit ? Cosine(innerProduct: x, normProduct: p) : nil
    }

    /// The largest ip ≤ limit with ip/√p < self, searched from `start`.
    private func largestBelow(normProduct p: Int, limit: Int, from start: Int) -> Cosine? {
        var x = start
        while x < limit && Cosine(innerProduct: x + 1, normProduct: p) < self { x += 1 }
        while x >= 0 && !(Cosine(innerProduct: x, normProduct: p) < self) { x -= 1 }
        return x >= 0 ? Cosine(innerProduct: x, normProduct: p) : nil
    }
}

/// A `Double` strictly between two cosines (their mean), so thresholds sit half a gap from the nearest
/// achievable values; nil if the cosines are too close for one.
func midpointThreshold(_ low: Cosine, _ high: Cosine) -> Double? {
    let t = (low.value + high.value) / 2
    return low.compare(to: t) < 0 && high.compare(to: t) > 0 ? t : nil
}
