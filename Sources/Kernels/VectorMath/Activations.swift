// GELU (tanh approximation and exact erf form) and SiLU, forward and derivative, lane-wise and on buffers.
//
//   GELU-tanh(x) = ½x(1 + tanh u),  u = √(2/π)(x + 0.044715x³),  computed as x·σ(2u) (the same function,
//                  since ½(1 + tanh u) = σ(2u)) so no tanh cancellation or overflow arises for large |x|.
//   GELU-erf(x)  = x·Φ(x) = ½x(1 + erf(x/√2)), Φ from erfc so the negative tail keeps relative accuracy.
//   SiLU(x)      = x·σ(x).
// Infinite inputs follow the limits: f(+inf) = +inf, f(−inf) = 0, f'(+inf) = 1, f'(−inf) = 0 (the inputs
// are clamped to ±200 where that leaves every result unchanged in Float). NaN → NaN.

/// √(2/π), the GELU-tanh slope at the origin.
@usableFromInline let geluTanhSlope: Float = 0.797884560802865
/// The cubic coefficient of GELU-tanh.
@usableFromInline let geluTanhCubic: Float = 0.044715

/// GELU, tanh approximation, lane-wise (relative error ≈ 1e-6).
@inlinable @inline(__always)
public func vectorGELUTanh(_ x: FloatVector) -> FloatVector {
    let v = x.replacing(with: -200, where: x .< -200)
    return v * sigmoidPair(geluTanhArgument(v)).positive
}

/// d/dx GELU-tanh(x) lane-wise.
@inlinable @inline(__always)
public func vectorGELUTanhDerivative(_ x: FloatVector) -> FloatVector {
    let v = lanewiseClamp(x, -200, 200)
    let (s, oneMinusS) = sigmoidPair(geluTanhArgument(v))
    // d(2u)/dx = 2√(2/π)(1 + 3·0.044715·x²)
    let slope = (2 * geluTanhSlope) * multiplyAdd(v * v, FloatVector(repeating: 3 * geluTanhCubic), FloatVector(repeating: 1))
    return multiplyAdd(v * s * oneMinusS, slope, s)
}

/// 2u = 2√(2/π)·x·(1 + 0.044715x²).
@inlinable @inline(__always)
func geluTanhArgument(_ x: FloatVector) -> FloatVector {
    (2 * geluTanhSlope) * x * multiplyAdd(x * x, FloatVector(repeating: geluTanhCubic), FloatVector(repeating: 1))
}

/// GELU, exact erf form x·Φ(x), lane-wise (relative error ≈ 5e-7).
@inlinable @inline(__always)
public func vectorGELUErf(_ x: FloatVector) -> FloatVector {
    let v = x.replacing(with: -200, where: x .< -200)
    return v * vectorNormalCDF(v)
}

/// d/dx GELU-erf(x) = Φ(x) + x·φ(x), φ the standard normal density, lane-wise.
@inlinable @inline(__always)
public func vectorGELUErfDerivative(_ x: FloatVector) -> FloatVector {
    let v = lanewiseClamp(x, -200, 200)
    let (cdf, density) = normalCDFAndDensity(v)
    return multiplyAdd(v, density, cdf)
}

/// SiLU (swish) x·σ(x) lane-wise (relative error ≈ 3e-7).
@inlinable @inline(__always)
public func vectorSiLU(_ x: FloatVector) -> FloatVector {
    let v = x.replacing(with: -200, where: x .< -200)
    return v * sigmoidPair(v).positive
}

/// d/dx SiLU(x) = σ(x)·(1 + x·σ(−x)) lane-wise.
@inlinable @inline(__always)
public func vectorSiLUDerivative(_ x: FloatVector) -> FloatVector {
    let v = lanewiseClamp(x, -200, 200)
    let (s, oneMinusS) = sigmoidPair(v)
    return multiplyAdd(s * v, oneMinusS, s)
}

/// The activations with a buffer form; `Activation.geluTanh.apply` etc. run the vector code above.
public enum Activation: String, Sendable, CaseIterable {
    case geluTanh, geluErf, silu

    /// `y[i] = f(x[i])` for `i` in `0..<count`; `y` may equal `x`. Cost ≈ count/lanes × (~40 vector operations).
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .geluTanh: mapLanes(x, y, count: count) { vectorGELUTanh($0) }
        case .geluErf: mapLanes(x, y, count: count) { vectorGELUErf($0) }
        case .silu: mapLanes(x, y, count: count) { vectorSiLU($0) }
        }
    }

    /// Backward: `dx[i] = dy[i]·f'(x[i])` for `i` in `0..<count`; `dx` may equal `dy` or `x`.
    public func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch self {
        case .geluTanh: mapLanes(x, dy, dx, count: count) { vectorGELUTanhDerivative($0) * $1 }
        case .geluErf: mapLanes(x, dy, dx, count: count) { vectorGELUErfDerivative($0) * $1 }
        case .silu: mapLanes(x, dy, dx, count: count) { vectorSiLUDerivative($0) * $1 }
        }
    }
}
