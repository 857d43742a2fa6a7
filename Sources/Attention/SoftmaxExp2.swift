import Kernels

/// 2^x for the forward softmax, whose scores are in log2 units (the queries carry scale·log2 e), so
/// x = s − m needs no multiply by log2 e and no two-part ln 2 reduction.
///
/// x = n + r with n = round(x) and r ∈ [−½, ½] exact; 2^r by a degree-5 minimax polynomial (relative
/// error 7.5e-8, 2.2e-7 with float32 rounding, measured on 2·10⁶ points of [−½, ½]); 2^n from the
/// exponent bits of the rounding shifter, one multiply. Inputs are clamped to [−127, 127]: x ≤ −127
/// (and −∞) gives exactly 0 (results below 2^−126 flush to 0, far below fp32 resolution next to the
/// max's weight 1), x ≥ 127 gives ≈ 2^127 (finite; the lazy softmax rescales long before, see
/// `ForwardBlock.softmaxStep`). NaN stays NaN. Cost: 12 vector instructions (2 clamps, 3 adds,
/// 5 FMAs, 1 shift, 1 multiply), against ≈ 22 for `softmaxExp`.
@inline(__always)
func softmaxExp2(_ x: FloatVector) -> FloatVector {
    let low = FloatVector(repeating: -127), high = FloatVector(repeating: 127)
    // NaN fails both comparisons and stays NaN through the polynomial and the final multiply.
    let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    // 1.5·2^23 + 127: the sum rounds x to the nearest integer n, and its low mantissa bits hold n + 127.
    let shifter = FloatVector(repeating: 0x1.8p23 + 127)
    let shifted = clamped + shifter
    let r = clamped - (shifted - shifter)
    var p = FloatVector(repeating: 0x1.5c08e6p-10)
    p = multiplyAdd(p, r, FloatVector(repeating: 0x1.3d0c52p-7))
    p = multiplyAdd(p, r, FloatVector(repeating: 0x1.c6b6e4p-5))
    p = multiplyAdd(p, r, FloatVector(repeating: 0x1.ebf918p-3))
    p = multiplyAdd(p, r, FloatVector(repeating: 0x1.62e428p-1))
    p = multiplyAdd(p, r, FloatVector(repeating: 0x1.000002p0))
    // Shifting by 23 drops the shifter's own bits and leaves n + 127 ∈ [0, 254] in the exponent field:
    // 2^n, or 0 for n = −127.
    let power = unsafeBitCast(unsafeBitCast(shifted, to: IntVector.self) &<< IntVector(repeating: 23), to: FloatVector.self)
    return p * power
}

/// `softmaxExp2` on each native register of a tile row (one query per lane).
@inline(__always)
func softmaxExp2(_ x: TileRow) -> TileRow {
    x.map { softmaxExp2($0) }
}

/// log2 e as a Float: scores times this are in log2 units.
let log2E: Float = 0x1.715476p0
/// ln 2 as a Float: a log2-unit max times this is back in natural units.
let ln2: Float = 0x1.62e430p-1
