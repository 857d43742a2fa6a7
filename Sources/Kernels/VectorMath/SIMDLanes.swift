// Loads, stores and bit tricks on 16-float vectors shared by the vector-math kernels.

/// Loads the `count` (1…16) floats at `p` into the first lanes; the other lanes hold `padding`.
/// A full load when `count == 16`, so loops can use it for every step including the tail.
@inlinable @inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, count: Int, padding: Float) -> SIMD16<Float> {
    if count == 16 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
    var v = SIMD16<Float>(repeating: padding)
    for lane in 0..<count { v[lane] = p[lane] }
    return v
}

/// Stores the first `count` (1…16) lanes of `v` at `p`.
@inlinable @inline(__always)
func storeLanes(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
        return
    }
    for lane in 0..<count { p[lane] = v[lane] }
}

/// Lane-wise |v| by clearing the sign bits (one `vandps`).
@inlinable @inline(__always)
func lanewiseMagnitude(_ v: SIMD16<Float>) -> SIMD16<Float> {
    let bits = unsafeBitCast(v, to: SIMD16<Int32>.self) & SIMD16<Int32>(repeating: 0x7FFF_FFFF)
    return unsafeBitCast(bits, to: SIMD16<Float>.self)
}

/// Lane-wise `v` with NaN kept and every other value limited to `low…high`.
@inlinable @inline(__always)
func lanewiseClamp(_ v: SIMD16<Float>, _ low: Float, _ high: Float) -> SIMD16<Float> {
    v.replacing(with: high, where: v .> SIMD16<Float>(repeating: high)).replacing(with: low, where: v .< SIMD16<Float>(repeating: low))
}

/// Applies `f` to `x[0..<count]` 16 lanes at a time and writes `y`; the last partial vector is padded
/// with zeros, so every element goes through the same SIMD code whatever its position. `y` may be `x`.
@inlinable @inline(__always)
func mapLanes(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
    _ f: (SIMD16<Float>) -> SIMD16<Float>
) {
    var i = 0
    while i < count {
        let n = min(16, count - i)
        storeLanes(f(loadLanes(x + i, count: n, padding: 0)), y + i, count: n)
        i += 16
    }
}

/// Two-input form of `mapLanes`: `z[i] = f(x[i], y[i])` 16 lanes at a time. `z` may be `x` or `y`.
@inlinable @inline(__always)
func mapLanes(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int,
    _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
) {
    var i = 0
    while i < count {
        let n = min(16, count - i)
        storeLanes(f(loadLanes(x + i, count: n, padding: 0), loadLanes(y + i, count: n, padding: 0)), z + i, count: n)
        i += 16
    }
}

/// Lane-wise partial sums of p[0..<count] (16 lanes, zero padding); `horizontalSum` finishes the sum.
@inlinable @inline(__always)
func sumLanes(_ p: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    var sum = SIMD16<Float>()
    var i = 0
    while i < count {
        sum += loadLanes(p + i, count: min(16, count - i), padding: 0)
        i += 16
    }
    return sum
}
