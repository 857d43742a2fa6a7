import Kernels

/// The SIMD vector the mixers' elementwise loops use: one native register of the build's instruction
/// set (Kernels' `FloatVector`: 16 floats on AVX-512, 8 on AVX2, 4 on SSE/NEON).
typealias MixerVector = FloatVector

/// Lanes of `MixerVector`.
let mixerLanes = MixerVector.scalarCount

extension UnsafePointer where Pointee == Float {
    /// The `MixerVector` starting at element `index` (no alignment needed).
    @inline(__always) func vector(at index: Int) -> MixerVector {
        UnsafeRawPointer(self + index).loadUnaligned(as: MixerVector.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func vector(at index: Int) -> MixerVector {
        UnsafeRawPointer(self + index).loadUnaligned(as: MixerVector.self)
    }

    @inline(__always) func store(_ value: MixerVector, at index: Int) {
        UnsafeMutableRawPointer(self + index).storeBytes(of: value, as: MixerVector.self)
    }
}

/// `z[i] = f(x[i], y[i])` for i in 0..<count, `MixerVector` lanes at a time (z may be x or y); the tail
/// goes through the same closure on a zero-padded vector so every element sees identical arithmetic.
@inline(__always)
func zipLanes(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, count: Int,
    _ f: (MixerVector, MixerVector) -> MixerVector
) {
    var i = 0
    while i + mixerLanes <= count {
        z.store(f(x.vector(at: i), y.vector(at: i)), at: i)
        i += mixerLanes
    }
    if i < count {
        var a = MixerVector(), b = MixerVector()
        for lane in 0..<(count - i) { a[lane] = x[i + lane]; b[lane] = y[i + lane] }
        let r = f(a, b)
        for lane in 0..<(count - i) { z[i + lane] = r[lane] }
    }
}

/// `y[i] += a · x[i]` for i in 0..<count (fused multiply-add).
@inline(__always)
func addScaled(_ x: UnsafePointer<Float>, _ a: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
    let av = MixerVector(repeating: a)
    zipLanes(x, y, into: y, count: count) { x, y in multiplyAdd(av, x, y) }
}

/// `y[i] = x[i] · y[i]` for i in 0..<count.
@inline(__always)
func multiplyInto(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    zipLanes(x, y, into: y, count: count) { x, y in x * y }
}

/// Σ x[i]·y[i] over i in 0..<count (Kernels' four-accumulator `dot`).
@inline(__always)
func dotProduct(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    dot(x, y, count: count)
}
