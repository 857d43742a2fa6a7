// Matrix products of layers narrower than the GEMM's register tile (6 × 64): the packed GEMM pads such
// products up to whole tiles (an output width of 1 costs 64 columns), so below 64 columns these plain
// loops, which the compiler vectorises along the contiguous output row, are several times faster.
// Row-major throughout; each is 2·R·K·N FLOPs.

import Kernels

/// `y[r, :] += Σ_i x[r, i]·w[i, :]`: x `[R, K]`, w `[K, N]`, y `[R, N]`.
func narrowProductAccumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        let target = y + r * columns
        for i in 0..<inner {
            let a = x[r * inner + i], source = w + i * columns
            for j in 0..<columns { target[j] += a * source[j] }
        }
    }
}

/// `dx[r, i] = Σ_j dy[r, j]·w[i, j]` (dy·wᵀ): dy `[R, N]`, w `[K, N]`, dx `[R, K]`. The dot products run
/// in 8-lane partial sums (a scalar reduction would not vectorise).
func narrowProductTransposed(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    let whole = columns / 8 * 8
    for r in 0..<rows {
        let g = UnsafeRawPointer(dy + r * columns)
        for i in 0..<inner {
            let source = UnsafeRawPointer(w + i * columns)
            var lanes = SIMD8<Float>()
            var j = 0
            while j < whole {
                lanes = lanes.addingProduct(g.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self),
                                            source.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self))
                j += 8
            }
            var sum = horizontalSum(lanes)
            for k in whole..<columns { sum += dy[r * columns + k] * w[i * columns + k] }
            dx[r * inner + i] = sum
        }
    }
}

/// `dw[i, :] += Σ_r x[r, i]·dy[r, :]` (xᵀ·dy): x `[R, K]`, dy `[R, N]`, dw `[K, N]`.
func narrowOuterAccumulate(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>,
                           rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        let g = dy + r * columns
        for i in 0..<inner {
            let a = x[r * inner + i], target = dw + i * columns
            for j in 0..<columns { target[j] += a * g[j] }
        }
    }
}
