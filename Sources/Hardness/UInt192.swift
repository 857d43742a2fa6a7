/// A 192-bit unsigned integer with just what exact cosine comparisons need: products of the form
/// m²·P, left shifts, and ordering.
struct UInt192: Comparable {
    /// Limbs, least significant first.
    private(set) var low: UInt64, middle: UInt64, high: UInt64

    init(_ value: UInt64) {
        (low, middle, high) = (value, 0, 0)
    }

    private init(low: UInt64, middle: UInt64, high: UInt64) {
        (self.low, self.middle, self.high) = (low, middle, high)
    }

    /// m·m·p, exact (m < 2^64, p < 2^64 gives < 2^192).
    static func squareProduct(_ m: UInt64, times p: UInt64) -> UInt192 {
        let square = m.multipliedFullWidth(by: m)
        let lowPart = square.low.multipliedFullWidth(by: p)
        let highPart = square.high.multipliedFullWidth(by: p)
        let (middle, carry) = lowPart.high.addingReportingOverflow(highPart.low)
        return UInt192(low: lowPart.low, middle: middle, high: highPart.high &+ (carry ? 1 : 0))
    }

    /// Number of significant bits (0 for zero).
    var bitWidth: Int {
        if high != 0 { return 192 - high.leadingZeroBitCount }
        if middle != 0 { return 128 - middle.leadingZeroBitCount }
        return 64 - low.leadingZeroBitCount
    }

    /// self · 2^shift, or nil when that needs more than 192 bits.
    func shiftedLeft(by shift: Int) -> UInt192? {
        precondition(shift >= 0, "negative shift")
        if bitWidth == 0 { return self }
        guard bitWidth + shift <= 192 else { return nil }
        let limbs = [low, middle, high]
        let wordShift = shift / 64, bitShift = UInt64(shift % 64)
        var shifted: [UInt64] = [0, 0, 0]
        for target in wordShift..<3 {
            let source = target - wordShift
            shifted[target] = limbs[source] << bitShift
            if bitShift > 0 && source > 0 { shifted[target] |= limbs[source - 1] >> (64 - bitShift) }
        }
        return UInt192(low: shifted[0], middle: shifted[1], high: shifted[2])
    }

    static func < (lhs: UInt192, rhs: UInt192) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }
}
