import Kernels

/// e^x lane-wise for x ≤ 0 (elu's negative branch and the decay factors), ≈ 18 vector instructions
/// against ≈ 26 for Kernels' `vectorExp`, whose overflow, gradual-underflow and NaN handling x ≤ 0 does
/// not need: Kernels' `reducedExp` (e^x = e^r·2^n, |r| ≤ ln2/2, relative error ≈ 0.7 ulp), then 2^n
/// from exponent bits in one multiply. x is clamped to ≥ −88 (n ≥ −127); n = −127 (x ≲ −87.7) gives
/// exactly 0 (e^x < 2^−126.5), x just above gives e^r·2^−126 rounded into the subnormal range. Positive x
/// is outside the contract. NaN stays NaN (through e^r).
@inline(__always)
func nonPositiveExp(_ x: MixerVector) -> MixerVector {
    let floor = MixerVector(repeating: -88)
    let (mantissa, n) = reducedExp(x.replacing(with: floor, where: x .< floor))
    // n + 127 ∈ [0, 127] in the exponent field: 2^n, or 0 for n = −127.
    return mantissa * unsafeBitCast((n &+ 127) &<< 23, to: MixerVector.self)
}

/// `y[i] = e^{x[i]}` for x ≤ 0 (`nonPositiveExp`; the decay factors e^{b} of the decayed linear mixers,
/// b a sum of log α ≤ 0). `y` may equal `x`.
/// The loop is written out so the exp is inlined into it (through a `zipLanes` closure it stayed a call per vector).
func nonPositiveExp(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + mixerLanes <= count {
        y.store(nonPositiveExp(x.vector(at: i)), at: i)
        i += mixerLanes
    }
    zipLanes(x + i, x + i, into: y + i, count: count - i) { x, _ in nonPositiveExp(x) }
}
