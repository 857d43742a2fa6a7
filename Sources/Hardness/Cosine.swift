/// The cosine similarity of two non-zero 0/1 vectors, held exactly as ip / √P, where ip = ⟨a, b⟩ and
/// P = ‖a‖²·‖b‖² = popcount(a)·popcount(b).
///
/// Every comparison — between two cosines, or between a cosine and a `Double` threshold t — is exact:
/// cos ≥ t is decided as ip² ≥ t²·P in integer arithmetic, with t taken as the exact binary value of the
/// `Double` (no rounding anywhere). So "MSD_t: cos ≥ t" and "LSD_t: cos ≤ t" include ties at t exactly.
public struct Cosine: Sendable, Comparable, CustomStringConvertible {
    /// ⟨a, b⟩.
    public let innerProduct: Int
    /// popcount(a) · popcount(b).
    public let normProduct: Int

    /// Requires 0 ≤ ip, ip² ≤ P (true for real vectors) and 1 ≤ P < 2^62.
    public init(innerProduct: Int, normProduct: Int) {
        precondition(innerProduct >= 0 && normProduct >= 1 && normProduct < 1 << 62
                     && innerProduct * innerProduct <= normProduct,
                     "not a cosine of 0/1 vectors: ip \(innerProduct), norm product \(normProduct)")
        self.innerProduct = innerProduct
        self.normProduct = normProduct
    }

    /// ip / √P in Double arithmetic (within an ulp or two; use `roundedDown`/`roundedUp` for bounds).
    public var value: Double { Double(innerProduct) / Double(normProduct).squareRoot() }

    /// The largest `Double` ≤ the exact cosine: the threshold that a pair with this cosine still meets
    /// under "≥ t".
    public var roundedDown: Double {
        var t = value
        while compare(to: t) < 0 { t = t.nextDown }
        while compare(to: t.nextUp) >= 0 { t = t.nextUp }
        return t
    }

    /// The smallest `Double` ≥ the exact cosine: the threshold that a pair with this cosine still meets
    /// under "≤ t".
    public var roundedUp: Double {
        var t = value
        while compare(to: t) > 0 { t = t.nextUp }
        while t > 0 && compare(to: t.nextDown) <= 0 { t = t.nextDown }
        return t
    }

    /// The sign of cos − t: −1, 0 or 1, exactly. Requires t finite and ≥ 0.
    public func compare(to threshold: Double) -> Int {
        Cosine.signOfSquareDifference(innerProduct: innerProduct, normProduct: normProduct, threshold: threshold)
    }

    public var description: String { "\(innerProduct)/√\(normProduct) ≈ \(value)" }

    /// Exact: ip₁/√P₁ = ip₂/√P₂ ⟺ ip₁²·P₂ = ip₂²·P₁.
    public static func == (lhs: Cosine, rhs: Cosine) -> Bool {
        compareCosines(lhs.innerProduct, lhs.normProduct, rhs.innerProduct, rhs.normProduct) == 0
    }

    /// Exact: ip₁/√P₁ < ip₂/√P₂ ⟺ ip₁²·P₂ < ip₂²·P₁.
    public static func < (lhs: Cosine, rhs: Cosine) -> Bool {
        compareCosines(lhs.innerProduct, lhs.normProduct, rhs.innerProduct, rhs.normProduct) < 0
    }

    /// The sign of x² − t²·P for integers x ≥ 0, 1 ≤ P < 2^62 and a finite t ≥ 0, exactly.
    ///
    /// t = m·2^e with m odd (m < 2^53), so the comparison is x²·2^(−2e) against m²·P (or x² against
    /// m²·P·2^(2e) when e ≥ 0), both integers of at most 192 bits unless the shift alone decides it.
    static func signOfSquareDifference(innerProduct x: Int, normProduct p: Int, threshold t: Double) -> Int {
        precondition(t.isFinite && t >= 0, "threshold \(t) must be finite and ≥ 0")
        precondition(x >= 0 && x < 1 << 32 && p >= 1 && p < 1 << 62, "inner product or norm product out of range")
        if t == 0 { return x == 0 ? 0 : 1 }
        var mantissa: UInt64
        var exponent: Int
        if t.isNormal {
            mantissa = 1 << 52 | t.significandBitPattern
            exponent = Int(t.exponent) - 52
        } else {
            mantissa = t.significandBitPattern
            exponent = -1074
        }
        let zeros = mantissa.trailingZeroBitCount
        mantissa >>= UInt64(zeros)
        exponent += zeros
        var left = UInt192(UInt64(x * x))
        var right = UInt192.squareProduct(mantissa, times: UInt64(p))
        if exponent < 0 {
            guard let shifted = left.shiftedLeft(by: -2 * exponent) else { return 1 }
            left = shifted
        } else {
            guard let shifted = right.shiftedLeft(by: 2 * exponent) else { return -1 }
            right = shifted
        }
        return left < right ? -1 : (right < left ? 1 : 0)
    }

    /// The smallest integer x ≥ 0 with x/√P ≥ t: a pair with norm product P meets "cos ≥ t" iff ip ≥ x.
    static func minimumInnerProduct(normProduct p: Int, atLeast t: Double) -> Int {
        var x = Int((t * Double(p).squareRoot()).rounded(.up))
        while x > 0 && signOfSquareDifference(innerProduct: x - 1, normProduct: p, threshold: t) >= 0 { x -= 1 }
        while signOfSquareDifference(innerProduct: x, normProduct: p, threshold: t) < 0 { x += 1 }
        return x
    }

    /// The largest integer x ≥ 0 with x/√P ≤ t: a pair with norm product P meets "cos ≤ t" iff ip ≤ x.
    static func maximumInnerProduct(normProduct p: Int, atMost t: Double) -> Int {
        var x = Int((t * Double(p).squareRoot()).rounded(.down))
        while signOfSquareDifference(innerProduct: x + 1, normProduct: p, threshold: t) <= 0 { x += 1 }
        while x > 0 && signOfSquareDifference(innerProduct: x, normProduct: p, threshold: t) > 0 { x -= 1 }
        return x
    }
}

/// The sign of ip₁/√p₁ − ip₂/√p₂ (−1, 0, 1), exactly, as that of ip₁²·p₂ − ip₂²·p₁ in 128-bit arithmetic.
/// Requires 0 ≤ ip < 2^32 and 1 ≤ p < 2^64. With p₁ = p₂ = 1 it orders inner products.
@inline(__always)
func compareCosines(_ ip1: Int, _ p1: Int, _ ip2: Int, _ p2: Int) -> Int {
    let left = UInt64(truncatingIfNeeded: ip1 &* ip1).multipliedFullWidth(by: UInt64(truncatingIfNeeded: p2))
    let right = UInt64(truncatingIfNeeded: ip2 &* ip2).multipliedFullWidth(by: UInt64(truncatingIfNeeded: p1))
    if left.high != right.high { return left.high < right.high ? -1 : 1 }
    return left.low < right.low ? -1 : (left.low == right.low ? 0 : 1)
}
