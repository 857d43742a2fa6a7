// Loads, stores and bit tricks on `FloatVector`s (16, 8 or 4 floats) shared by the vector-math kernels.

/// Loads the `count` (1…lanes) floats at `p` into the first lanes; the other lanes hold `padding`.
/// A full load when `count` is the full width, so loops can use it for every step including the tail.
@inlinable @inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, count: Int, padding: Float) -> FloatVector {
    if count == vectorLanes { return UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self) }
    var v = FloatVector(repeating: padding)
    for lane in 0..<count { v[lane] = p[lane] }
    return v
}

/// Stores the first `count` (1…lanes) lanes of `v` at `p`.
@inlinable @inline(__always)
func storeLanes(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, count: Int) {
    if count == vectorLanes {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
        return
    }
    for lane in 0..<count { p[lane] = v[lane] }
}

/// Lane-wise |v| by clearing the sign bits (one `vandps`).
@inlinable @inline(__always)
func lanewiseMagnitude(_ v: FloatVector) -> FloatVector {
    let bits = unsafeBitCast(v, to: IntVector.self) & IntVector(repeating: 0x7FFF_FFFF)
    return unsafeBitCast(bits, to: FloatVector.self)
}

/// Lane-wise `v` with NaN kept and every other value limited to `low…high`.
@inlinable @inline(__always)
func lanewiseClamp(_ v: FloatVector, _ low: Float, _ high: Float) -> FloatVector {
    v.replacing(with: high, where: v .> FloatVector(repeating: high)).replacing(with: low, where: v .< FloatVector(repeating: low))
}

/// Applies `f` to `x[0..<count]` one `FloatVector` at a time and writes `y`; the last partial vector is padded
/// with zeros, so every element goes through the same SIMD code whatever its position. `y` may be `x`.
@inlinable @inline(__always)
func mapLanes(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
    _ f: (FloatVector) -> FloatVector
) {
    var i = 0
    while i < count {
        let n = min(vectorLanes, count - i)
        storeLanes(f(loadLanes(x + i, count: n, padding: 0)), y + i, count: n)
        i += vectorLanes
    }
}

/// Two-input form of `mapLanes`: `z[i] = f(x[i], y[i])` one `FloatVector` at a time. `z` may be `x` or `y`.
@inlinable @inline(__always)
func mapLanes(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int,
    _ f: (FloatVector, FloatVector) -> FloatVector
) {
    var i = 0
    while i < count {
        let n = min(vectorLanes, count - i)
        storeLanes(f(loadLanes(x + i, count: n, padding: 0), loadLanes(y + i, count: n, padding: 0)), z + i, count: n)
        i += vectorLanes
    }
}

/// Lane-wise partial sums of p[0..<count] (one vector of lanes, zero padding); `horizontalSum` finishes the sum.
@inlinable @inline(__always)
func sumLanes(_ p: UnsafePointer<Float>, count: Int) -> FloatVector {
    var sum = FloatVector()
    var i = 0
    while i < count {
        sum += loadLanes(p + i, count: min(vectorLanes, count - i), padding: 0)
        i += vectorLanes
    }
    return sum
}
