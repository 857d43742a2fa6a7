// Vectorised e^x for Float32 lanes.
//
// Method (Cody–Waite / Cephes `expf`):
//   1. n = round(x·log2 e) with the 1.5·2^23 shifter trick (one FMA, and the bits of the sum hold n);
//   2. r = x − n·ln2, with ln2 split as ln2Hi + ln2Lo where ln2Hi has 12 trailing zero bits, so n·ln2Hi is
//      exact and the FMAs leave |r| ≤ ln2/2 with an error far below 1 ulp of the result;
//   3. e^r = 1 + r + r²·P(r), P of degree 5 (Cephes minimax coefficients; total degree 7, truncation
//      error ≈ 1e-9 on [−ln2/2, ln2/2]);
//   4. e^x = e^r · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), each factor built from exponent bits. Splitting the scale keeps
//      both factors normal for every n in [−150, 128], so results in the subnormal range are correctly
//      (gradually) underflowed with a single rounding and results above Float.greatestFiniteMagnitude
//      overflow to +inf without a separate test.
// Measured max relative error on the normal range (2^20-point sweep of [−87, 88]): 8.3e-8 (≈ 0.7 ulp).
// Special values: e^−inf = 0, x < −103.98 → 0, x > 88.7228 → +inf, e^+inf = +inf, NaN → the same NaN.
// Cost: ~18 vector instructions per vector, no branches, no table.

/// e^x lane-wise (relative error ≤ 2e-7 for normal results; see the method notes in VectorExp.swift).
@inlinable @inline(__always)
public func vectorExp(_ x: FloatVector) -> FloatVector {
    // Adding −0 is the identity for every float (including −0), so LLVM removes it.
    vectorExp(x, tail: FloatVector(repeating: -0.0))
}

/// e^(x + tail) lane-wise, where `tail` is a correction much smaller than 1 (the low part of a double-float
/// argument such as −z² = hi + lo). The tail is added after range reduction, so it is not rounded away.
@inlinable @inline(__always)
func vectorExp(_ x: FloatVector, tail: FloatVector) -> FloatVector {
    // Beyond these bounds the result is 0 or +inf anyway; clamping keeps n small and the bit tricks valid.
    // NaN compares false in both tests and stays NaN; it is replaced by 89 for the integer part only.
    let clamped = x.replacing(with: 89, where: .!(x .<= FloatVector(repeating: 89)))
        .replacing(with: -104, where: x .< FloatVector(repeating: -104))
    let (expR, integerN) = reducedExp(clamped, tail: tail)
    let half = integerN &>> 1
    let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: FloatVector.self)
    let scale2 = unsafeBitCast((integerN &- half &+ 127) &<< 23, to: FloatVector.self)
    let result = expR * scale1 * scale2
    return result.replacing(with: x, where: x .!= x)
}

/// Steps 1–3 of the method: for x in [−104, 89], e^x = e^r · 2^n with n an integer and |r| ≤ ln2/2;
/// returns (e^r, n). `tail` is added to r after the reduction (see `vectorExp(_:tail:)`). Shared by
/// every exp variant (e.g. the attention softmax's, which scales by 2^n in one step).
@inlinable @inline(__always)
public func reducedExp(
    _ x: FloatVector, tail: FloatVector = FloatVector(repeating: -0.0)
) -> (mantissa: FloatVector, exponent: IntVector) {
    let shifter = FloatVector(repeating: 0x1.8p23)
    let shifted = multiplyAdd(x, FloatVector(repeating: 0x1.715476p0), shifter)  // x·log2(e) + 1.5·2^23
    let n = shifted - shifter
    var r = multiplyAdd(n, FloatVector(repeating: -0x1.62e4p-1), x)  // ln2Hi = 0.693145751953125
    r = multiplyAdd(n, FloatVector(repeating: -0x1.7f7d1cp-20), r)  // ln2Lo = ln2 − ln2Hi
    r = r + tail

    var p = FloatVector(repeating: 1.9875691500e-4)
    p = multiplyAdd(p, r, FloatVector(repeating: 1.3981999507e-3))
    p = multiplyAdd(p, r, FloatVector(repeating: 8.3334519073e-3))
    p = multiplyAdd(p, r, FloatVector(repeating: 4.1665795894e-2))
    p = multiplyAdd(p, r, FloatVector(repeating: 1.6666665459e-1))
    p = multiplyAdd(p, r, FloatVector(repeating: 5.0000001201e-1))
    let expR = FloatVector(repeating: 1) + multiplyAdd(r * r, p, r)
    // The low bits of `shifted` are n (two's complement) because its exponent makes the ulp exactly 1.
    let integerN = unsafeBitCast(shifted, to: IntVector.self) &- unsafeBitCast(shifter, to: IntVector.self)
    return (expR, integerN)
}

/// `y[i] = e^x[i]` for `i` in `0..<count` (relative error ≤ 2e-7). The tail is computed with the same SIMD
/// code on a zero-padded vector, so a value's result does not depend on its position. `y` may equal `x`.
/// Cost: ≈ count/lanes vector iterations of ~20 instructions.
public func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    mapLanes(x, y, count: count) { vectorExp($0) }
}
