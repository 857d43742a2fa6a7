/// e^x for the softmax inner loops, where x = s − max ≤ 0 (or NaN), inlined into the tile loops.
///
/// Same reduction as `Kernels.vectorExp` (x = n·ln2 + r with a two-constant ln2, degree-7 polynomial,
/// max relative error ≈ 1.2e-7) but one exponent add instead of a two-factor scale: results below
/// e^−87.3 ≈ 1.2e-38 flush to 0 (their weight is below fp32 resolution next to the max's weight 1),
/// and x above 88 is not supported (it never occurs: x ≤ 0 up to rounding). exp(−∞) = 0; NaN stays NaN.
@inline(__always)
func softmaxExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let floor = SIMD16<Float>(repeating: -87.3)
    let tooSmall = x .< floor
    let clamped = x.replacing(with: floor, where: tooSmall)
    let shifter = SIMD16<Float>(repeating: 0x1.8p23)
    let shifted = shifter.addingProduct(clamped, SIMD16<Float>(repeating: 0x1.715476p0))
    let n = shifted - shifter
    var r = clamped.addingProduct(n, SIMD16<Float>(repeating: -0x1.62e4p-1))
    r = r.addingProduct(n, SIMD16<Float>(repeating: -0x1.7f7d1cp-20))
    var p = SIMD16<Float>(repeating: 1.9875691500e-4)
    p = SIMD16<Float>(repeating: 1.3981999507e-3).addingProduct(p, r)
    p = SIMD16<Float>(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = SIMD16<Float>(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = SIMD16<Float>(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = SIMD16<Float>(repeating: 5.0000001201e-1).addingProduct(p, r)
    let expR = SIMD16<Float>(repeating: 1) + r.addingProduct(r * r, p)
    // 2^n: add n to the exponent field of e^r ∈ [0.7, 1.42] (n ≥ −126 keeps the result normal).
    let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(shifter, to: SIMD16<Int32>.self))
        &<< SIMD16<Int32>(repeating: 23)
    let result = unsafeBitCast(unsafeBitCast(expR, to: SIMD16<Int32>.self) &+ exponent, to: SIMD16<Float>.self)
    return result.replacing(with: 0, where: tooSmall).replacing(with: x, where: x .!= x)
}
