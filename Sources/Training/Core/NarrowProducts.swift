// Matrix products of layers narrower than the GEMM's register tile (6 × 64): the packed GEMM pads such
// products up to whole tiles (an output width of 1 costs 64 columns), so below 64 columns these loops
// over contiguous rows, 8 lanes at a time, are several times faster. Row-major throughout; each is
// 2·R·K·N FLOPs.

import Kernels

/// `y[r, :] += Σ_i x[r, i]·w[i, :]`: x `[R, K]`, w `[K, N]`, y `[R, N]`. Tiles of 2 rows × 32 columns
/// keep 8 accumulators in registers over the whole inner loop (y is read and written once); the last
/// row and the columns past the last whole tile go a row at a time.
func narrowProductAccumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    let tiled = tiledColumns(columns)
    for column in stride(from: 0, to: tiled, by: AccumulatorTile.width) {
        var r = 0
        while r + 2 <= rows {
            var tile = AccumulatorTile(y + r * columns + column, stride: columns)
            for i in 0..<inner {
                tile.addOuterProduct(x[r * inner + i], x[(r + 1) * inner + i], w + i * columns + column)
            }
            tile.store(y + r * columns + column, stride: columns)
            r += 2
        }
        if r < rows {
            for i in 0..<inner {
                accumulateScaled(x[r * inner + i], w + i * columns + column, into: y + r * columns + column, AccumulatorTile.width)
            }
        }
    }
    guard tiled < columns else { return }
    for r in 0..<rows {
        for i in 0..<inner {
            accumulateScaled(x[r * inner + i], w + i * columns + tiled, into: y + r * columns + tiled, columns - tiled)
        }
    }
}

/// `dx[r, i] = Σ_j dy[r, j]·w[i, j]` (dy·wᵀ): dy `[R, N]`, w `[K, N]`, dx `[R, K]`. Four outputs of a row
/// at a time, so four independent dot products hide the multiply-add latency.
func narrowProductTransposed(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                             rows: Int, inner: Int, columns: Int) {
    for r in 0..<rows {
        let source = dy + r * columns
        var i = 0
        while i + 4 <= inner {
            let sums = vectorDot4(source, w + i * columns, stride: columns, columns)
            for k in 0..<4 { dx[r * inner + i + k] = sums[k] }
            i += 4
        }
        while i < inner {
            dx[r * inner + i] = vectorDot(source, w + i * columns, columns)
            i += 1
        }
    }
}

/// `dw[i, :] += Σ_r x[r, i]·dy[r, :]` (xᵀ·dy): x `[R, K]`, dy `[R, N]`, dw `[K, N]`. Tiles of 2 rows of
/// dw × 32 columns stay in registers over blocks of 64 rows of x and dy (which stay in the L1 cache).
func narrowOuterAccumulate(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>,
                           rows: Int, inner: Int, columns: Int) {
    let tiled = tiledColumns(columns)
    for first in stride(from: 0, to: rows, by: 64) {
        let last = min(rows, first + 64)
        for column in stride(from: 0, to: tiled, by: AccumulatorTile.width) {
            var i = 0
            while i + 2 <= inner {
                var tile = AccumulatorTile(dw + i * columns + column, stride: columns)
                for r in first..<last { tile.addOuterProduct(x[r * inner + i], x[r * inner + i + 1], dy + r * columns + column) }
                tile.store(dw + i * columns + column, stride: columns)
                i += 2
            }
            if i < inner {
                for r in first..<last {
                    accumulateScaled(x[r * inner + i], dy + r * columns + column, into: dw + i * columns + column,
                                     AccumulatorTile.width)
                }
            }
        }
        guard tiled < columns else { continue }
        for r in first..<last {
            for i in 0..<inner {
                accumulateScaled(x[r * inner + i], dy + r * columns + tiled, into: dw + i * columns + tiled, columns - tiled)
            }
        }
    }
}

/// The leading columns that fill whole 32-column tiles; the rest go through `accumulateScaled`.
@inline(__always)
private func tiledColumns(_ columns: Int) -> Int { columns / AccumulatorTile.width * AccumulatorTile.width }

/// Two rows × 32 columns of sums in eight 8-lane registers.
private struct AccumulatorTile {
    static let width = 32
    typealias Row = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    var top: Row
    var bottom: Row

    @inline(__always)
    init(_ source: UnsafePointer<Float>, stride: Int) {
        top = Self.load(source)
        bottom = Self.load(source + stride)
    }

    /// top += a·row, bottom += b·row, for 32 columns of `row`.
    @inline(__always)
    mutating func addOuterProduct(_ a: Float, _ b: Float, _ row: UnsafePointer<Float>) {
        let v = Self.load(row)
        let (va, vb) = (SIMD8<Float>(repeating: a), SIMD8<Float>(repeating: b))
        top = (multiplyAdd(va, v.0, top.0), multiplyAdd(va, v.1, top.1), multiplyAdd(va, v.2, top.2), multiplyAdd(va, v.3, top.3))
        bottom = (multiplyAdd(vb, v.0, bottom.0), multiplyAdd(vb, v.1, bottom.1), multiplyAdd(vb, v.2, bottom.2),
                  multiplyAdd(vb, v.3, bottom.3))
    }

    @inline(__always)
    func store(_ target: UnsafeMutablePointer<Float>, stride: Int) {
        Self.store(top, target)
        Self.store(bottom, target + stride)
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Row {
        let raw = UnsafeRawPointer(p)
        return (raw.loadUnaligned(as: SIMD8<Float>.self), raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), raw.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self))
    }

    @inline(__always)
    private static func store(_ v: Row, _ p: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: v.0, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.1, toByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.2, toByteOffset: 64, as: SIMD8<Float>.self)
        raw.storeBytes(of: v.3, toByteOffset: 96, as: SIMD8<Float>.self)
    }
}

/// The four dot products of `a` with rows `b`, `b + stride`, `b + 2·stride`, `b + 3·stride` (`count`
/// floats each), in independent 8-lane partial sums; each equals `vectorDot` of its row, bit for bit.
@inline(__always)
func vectorDot4(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, stride: Int, _ count: Int) -> SIMD4<Float> {
    var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var c = 0
    while c + 8 <= count {
        let x = UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self)
        s0 = multiplyAdd(x, UnsafeRawPointer(b + c).loadUnaligned(as: SIMD8<Float>.self), s0)
        s1 = multiplyAdd(x, UnsafeRawPointer(b + stride + c).loadUnaligned(as: SIMD8<Float>.self), s1)
        s2 = multiplyAdd(x, UnsafeRawPointer(b + 2 * stride + c).loadUnaligned(as: SIMD8<Float>.self), s2)
        s3 = multiplyAdd(x, UnsafeRawPointer(b + 3 * stride + c).loadUnaligned(as: SIMD8<Float>.self), s3)
        c += 8
    }
    var sums = SIMD4<Float>(horizontalSum(s0), horizontalSum(s1), horizontalSum(s2), horizontalSum(s3))
    while c < count {
        sums += SIMD4<Float>(b[c], b[stride + c], b[2 * stride + c], b[3 * stride + c]) * a[c]
        c += 1
    }
    return sums
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
