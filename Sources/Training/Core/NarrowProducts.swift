// Matrix products of layers narrower than the GEMM's register tile (6 × 64): the packed GEMM pads such
// products up to whole tiles (an output width of 1 costs 64 columns), so below 64 columns these loops
// over contiguous rows, 8 lanes at a time, are several times faster. Row-major throughout; each is
// 2·R·K·N FLOPs.

import Kernels

/// `y[r, :] += Σ_i x[r, i]·w[i, :]`: x `[R, K]`, w `[K, N]`, y `[R, N]`.
func narrowProductAccumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        for i in 0..<inner { accumulateScaled(x[r * inner + i], w + i * columns, into: y + r * columns, columns) }
    }
}

/// `dx[r, i] = Σ_j dy[r, j]·w[i, j]` (dy·wᵀ): dy `[R, N]`, w `[K, N]`, dx `[R, K]`.
func narrowProductTransposed(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        for i in 0..<inner { dx[r * inner + i] = vectorDot(dy + r * columns, w + i * columns, columns) }
    }
}

/// `dw[i, :] += Σ_r x[r, i]·dy[r, :]` (xᵀ·dy): x `[R, K]`, dy `[R, N]`, dw `[K, N]`.
func narrowOuterAccumulate(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>,
                           rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        for i in 0..<inner { accumulateScaled(x[r * inner + i], dy + r * columns, into: dw + i * columns, columns) }
    }
}

/// Σ_c a[c]·b[c] over `count` floats, in 8-lane partial sums (a scalar reduction does not vectorise).
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var c = 0
    while c + 8 <= count {
        lanes = multiplyAdd(UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self),
                            UnsafeRawPointer(b + c).loadUnaligned(as: SIMD8<Float>.self), lanes)
        c += 8
    }
    var sum = horizontalSum(lanes)
    while c < count {
        sum += a[c] * b[c]
        c += 1
    }
    return sum
}

/// y[c] += a·x[c] for `count` floats, 8 lanes at a time.
@inline(__always)
func accumulateScaled(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ count: Int) {
    let factor = SIMD8<Float>(repeating: a)
    var c = 0
    while c + 8 <= count {
        let target = UnsafeMutableRawPointer(y + c)
        let sum = multiplyAdd(factor, UnsafeRawPointer(x + c).loadUnaligned(as: SIMD8<Float>.self),
                              target.loadUnaligned(as: SIMD8<Float>.self))
        target.storeBytes(of: sum, as: SIMD8<Float>.self)
        c += 8
    }
    while c < count {
        y[c] += a * x[c]
        c += 1
    }
}
