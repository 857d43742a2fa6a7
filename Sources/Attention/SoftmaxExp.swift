import Kernels

/// e^x for the softmax inner loops, where x = s − max ≤ 0 (or NaN), inlined into the tile loops.
///
/// Same reduction as `Kernels.vectorExp` (`reducedExp`: x = n·ln2 + r, degree-7 polynomial, max
/// relative error ≈ 1e-7) but one exponent add instead of a two-factor scale: results below
/// e^−87.3 ≈ 1.2e-38 flush to 0 (their weight is below fp32 resolution next to the max's weight 1),
/// and x above 88 is not supported (it never occurs: x ≤ 0 up to rounding). exp(−∞) = 0; NaN stays NaN.
@inline(__always)
func softmaxExp(_ x: FloatVector) -> FloatVector {
    let floor = FloatVector(repeating: -87.3)
    let tooSmall = x .< floor
    let clamped = x.replacing(with: floor, where: tooSmall)
    let (expR, n) = reducedExp(clamped)
    // 2^n: add n to the exponent field of e^r ∈ [0.7, 1.42] (n ≥ −126 keeps the result normal).
    let exponent = n &<< IntVector(repeating: 23)
    let result = unsafeBitCast(unsafeBitCast(expR, to: IntVector.self) &+ exponent, to: FloatVector.self)
    return result.replacing(with: 0, where: tooSmall).replacing(with: x, where: x .!= x)
}

/// `softmaxExp` on each native register of a tile row (one query or key per lane).
@inline(__always)
func softmaxExp(_ x: TileRow) -> TileRow {
    x.map { softmaxExp($0) }
}

/// Sets to −∞ the lanes of the `v`-th `FloatVector` of a score row where `hidden` holds (masked keys).
@inline(__always)
func hideScores(_ row: UnsafeMutablePointer<Float>, vector v: Int, where hidden: SIMDMask<IntVector>) {
    let target = UnsafeMutableRawPointer(row + v * InstructionSet.vectorLanes)
    target.storeBytes(of: target.load(as: FloatVector.self).replacing(with: -.infinity, where: hidden), as: FloatVector.self)
}
