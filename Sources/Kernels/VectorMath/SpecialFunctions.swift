// Vectorised sigmoid, erf, erfc and the normal CDF, built on `vectorExp`, on `FloatVector` lanes (one
// native register); `@inline(__always)` so they inline into the caller's loop.
//
// erfc(z), z ≥ 0: erfc(z) = t·Q(t)·e^(−z²) with t = 1/(1 + z/2) and Q a degree-10 polynomial (weighted
//   least-squares fit of e^(z²)·erfc(z)/t on Chebyshev nodes of t ∈ [0, 1], i.e. z ∈ [0, ∞)). z² is split
//   exactly into hi + lo with an FMA so e^(−z²) keeps full relative accuracy for large z.
//   Relative error ≈ 4e-7 for all z (measured in the tests); erfc(−z) = 2 − erfc(z).
// erf(x): for |x| < 1 the odd series x·(2/√π + x²·P(x²)), P of degree 6 (same kind of fit), with 2/√π in
//   two parts; for |x| ≥ 1, ±(1 − erfc(|x|)). Absolute error ≈ 7e-8, relative error for |x| < 1 ≈ 1e-7.

/// The logistic function σ(x) = 1/(1 + e^−x) lane-wise, accurate in both tails (relative error ≈ 2e-7).
@inlinable @inline(__always)
public func vectorSigmoid(_ x: FloatVector) -> FloatVector {
    sigmoidPair(x).positive
}

/// (σ(x), σ(−x)) = (1/(1 + t), t/(1 + t)) for x ≥ 0 and swapped for x < 0, with t = e^−|x| ∈ (0, 1]:
/// no overflow, no cancellation, and σ(−x) = 1 − σ(x) without the subtraction.
@inlinable @inline(__always)
func sigmoidPair(_ x: FloatVector) -> (positive: FloatVector, negative: FloatVector) {
    let t = vectorExp(-lanewiseMagnitude(x))
    let large = 1 / (1 + t)
    let small = t * large
    let isNegative = x .< 0
    return (large.replacing(with: small, where: isNegative), small.replacing(with: large, where: isNegative))
}

/// The complementary error function erfc(x) = 1 − erf(x) lane-wise, with relative error ≈ 4e-7 over
/// the whole range (including the tail down to the underflow at x ≈ 10.05). NaN → NaN.
@inlinable @inline(__always)
public func vectorErfc(_ x: FloatVector) -> FloatVector {
    let tailOfMagnitude = erfcOfMagnitude(lanewiseMagnitude(x))
    return tailOfMagnitude.replacing(with: 2 - tailOfMagnitude, where: x .< 0)
}

/// The error function erf(x) lane-wise: absolute error ≈ 7e-8, relative error ≈ 1e-7 for |x| < 1.
/// erf(±inf) = ±1, NaN → NaN.
@inlinable @inline(__always)
public func vectorErf(_ x: FloatVector) -> FloatVector {
    let u = x * x
    var p = FloatVector(repeating: -1.01830246e-05)
    p = multiplyAdd(p, u, FloatVector(repeating: 0.000114415154))
    p = multiplyAdd(p, u, FloatVector(repeating: -0.000850738084))
    p = multiplyAdd(p, u, FloatVector(repeating: 0.00522254966))
    p = multiplyAdd(p, u, FloatVector(repeating: -0.0268659312))
    p = multiplyAdd(p, u, FloatVector(repeating: 0.112837903))
    p = multiplyAdd(p, u, FloatVector(repeating: -0.376126379))
    // x·(c0 + u·P(u)) with c0 = 2/√π = 1.12837923 − 5.86353828e-8, the rounding of the sum left to the end.
    let series = multiplyAdd(x, FloatVector(repeating: 1.12837923), multiplyAdd(x, FloatVector(repeating: -5.86353828e-8), (x * u * p)))
    let magnitude = lanewiseMagnitude(x)
    let oneMinusTail = 1 - erfcOfMagnitude(magnitude)
    let large = oneMinusTail.replacing(with: -oneMinusTail, where: x .< 0)
    return large.replacing(with: series, where: magnitude .< 1)
}

/// The standard normal CDF Φ(x) = erfc(−x/√2)/2 lane-wise; relative error ≈ 4e-7 for all x (the lower
/// tail is computed as erfc, not as 1 − something).
@inlinable @inline(__always)
public func vectorNormalCDF(_ x: FloatVector) -> FloatVector {
    normalCDFAndDensity(x).cdf
}

/// (Φ(x), φ(x)) with φ(x) = e^(−x²/2)/√(2π). x²/2 is split exactly into hi + lo, so both keep full relative
/// accuracy in the tails (rounding x/√2 first would cost ≈ x²·6e-8, i.e. 1e-5 at x = −13).
@inlinable @inline(__always)
func normalCDFAndDensity(_ x: FloatVector) -> (cdf: FloatVector, density: FloatVector) {
    // Φ(−15.5) ≈ 1e-54 and φ(15.5) ≈ 1e-53 are 0 in Float; the clamp keeps x² finite.
    let magnitude = lanewiseMagnitude(x)
    let a = magnitude.replacing(with: 15.5, where: magnitude .> 15.5)
    let half = 0.5 * a
    let halfSquareHigh = half * a
    let halfSquareLow = productRoundingError(half, a, product: halfSquareHigh)
    let lowerTail = 0.5 * erfcOfMagnitude(
        a * 0.70710678118654752, squareHigh: halfSquareHigh, squareLow: halfSquareLow)
    let density = 0.398942280401432678 * vectorExp(-halfSquareHigh, tail: -halfSquareLow)
    return (lowerTail.replacing(with: 1 - lowerTail, where: x .> 0), density)
}

/// erfc(z) for z ≥ 0 or NaN (see the method notes in SpecialFunctions.swift).
@inlinable @inline(__always)
func erfcOfMagnitude(_ z: FloatVector) -> FloatVector {
    // erfc(11) ≈ 1e-54 is 0 in Float; the clamp keeps z² finite (inf − inf would make NaN below).
    let a = z.replacing(with: 11, where: z .> 11)
    let squareHigh = a * a
    return erfcOfMagnitude(a, squareHigh: squareHigh, squareLow: productRoundingError(a, a, product: squareHigh))
}

/// erfc(z) for 0 ≤ z ≤ 11 (or NaN), given z² = squareHigh + squareLow exactly.
@inlinable @inline(__always)
func erfcOfMagnitude(_ z: FloatVector, squareHigh: FloatVector, squareLow: FloatVector) -> FloatVector {
    let t = 1 / multiplyAdd(z, FloatVector(repeating: 0.5), FloatVector(repeating: 1))
    var q = FloatVector(repeating: 0.0431954339)
    q = multiplyAdd(q, t, FloatVector(repeating: -0.234733596))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.493694931))
    q = multiplyAdd(q, t, FloatVector(repeating: -0.454973996))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.13217704))
    q = multiplyAdd(q, t, FloatVector(repeating: -0.0592113584))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.0934624374))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.175315976))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.24688457))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.282093763))
    q = multiplyAdd(q, t, FloatVector(repeating: 0.282094806))
    return t * q * vectorExp(-squareHigh, tail: -squareLow)
}

/// a·b − product exactly, where `product` is a·b rounded: one FMA where the CPU has it, otherwise
/// Dekker's product (Veltkamp splits of a and b into 12-bit halves, whose partial products are exact).
@inlinable @inline(__always)
func productRoundingError(_ a: FloatVector, _ b: FloatVector, product: FloatVector) -> FloatVector {
    #if ATTNLAB_FMA || arch(arm64)
    return multiplyAdd(a, b, -product)
    #else
    @inline(__always) func split(_ x: FloatVector) -> (high: FloatVector, low: FloatVector) {
        let scaled = 4097 * x  // 2^12 + 1
        let high = scaled - (scaled - x)
        return (high, x - high)
    }
    let (aHigh, aLow) = split(a), (bHigh, bLow) = split(b)
    return ((aHigh * bHigh - product) + aHigh * bLow + aLow * bHigh) + aLow * bLow
    #endif
}
