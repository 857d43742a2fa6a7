import Kernels

/// e^x for the softmax inner loops, where x = s − max ≤ 0 (or NaN), inlined into the tile loops.
///
/// Same reduction as `Kernels.vectorExp` (`reducedExp`: x = n·ln2 + r, degree-7 polynomial, max
/// relative error ≈ 1e-7) but one exponent add instead of a two-factor scale: results below
/// e^−87.3 ≈ 1.2e-38 flush to 0 (their weight is below fp32 resolution next to the max's weight 1),
/// and x above 88 is not supported (it never occurs: x ≤ 0 up to rounding). exp(−∞) = 0; NaN stays NaN.
@inline(__always)
func softmaxExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let floor = SIMD16<Float>(repeating: -87.3)
    let tooSmall = x .< floor
    let clamped = x.replacing(with: floor, where: tooSmall)
    let (expR, n) = reducedExp(clamped)
    // 2^n: add n to the exponent field of e^r ∈ [0.7, 1.42] (n ≥ −126 keeps the result normal).
    let exponent = n &<< SIMD16<Int32>(repeating: 23)
    let result = unsafeBitCast(unsafeBitCast(expR, to: SIMD16<Int32>.self) &+ exponent, to: SIMD16<Float>.self)
    return result.replacing(with: 0, where: tooSmall).replacing(with: x, where: x .!= x)
}
