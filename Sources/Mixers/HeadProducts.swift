import Kernels

/// Matrix products head by head over G heads stored back to back: X `[G, …]`, Y `[G, …]` → `[G, r, c]`.
/// Tall products (N-row outputs) run as blocks of `blockRows` rows handed out one at a time, so a core
/// that another process slows does not hold up the rest; short ones (r = m landmarks, k = N) through
/// `batchedGEMM` (one head per thread when G ≥ threads, else each product on all threads).
struct HeadProducts {
    let heads: Int
    /// Rows of one work item of a tall product.
    static let blockRows = 256

    /// α·op(X_h)·op(Y_h) for every head h, op(X_h) `[r, k]`, op(Y_h) `[k, c]` → `[G, r, c]`.
    /// Cost 2·G·r·k·c FLOPs.
    func product(
        _ x: Tensor<Float>, _ y: Tensor<Float>, rows r: Int, depth k: Int, columns c: Int, alpha: Float = 1,
        transposeX: Bool = false, transposeY: Bool = false
    ) -> Tensor<Float> {
        var out = Tensor<Float>(zeros: [heads, r, c])
        add(x, y, rows: r, depth: k, columns: c, alpha: alpha, transposeX: transposeX, transposeY: transposeY,
            into: &out, beta: 0)
        return out
    }

    /// `out_h ← α·op(X_h)·op(Y_h) + β·out_h`, shapes as in `product`; `out` is `[G, r, c]`.
    func add(
        _ x: Tensor<Float>, _ y: Tensor<Float>, rows r: Int, depth k: Int, columns c: Int, alpha: Float = 1,
        transposeX: Bool = false, transposeY: Bool = false, into out: inout Tensor<Float>, beta: Float = 1
    ) {
        precondition(x.count == heads * r * k && y.count == heads * k * c && out.count == heads * r * c,
                     "head product shapes do not match")
        let (lda, ldb, ldc) = (max(1, transposeX ? r : k), max(1, transposeY ? k : c), max(1, c))
        let blocks = (r + Self.blockRows - 1) / Self.blockRows
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { out in
                    let (x, y, out) = (x.baseAddress!, y.baseAddress!, out.baseAddress!)
                    if heads * blocks >= 4 * Parallelism.defaultThreads {
                        parallelFor(heads * blocks) { item in
                            let (head, first) = (item / blocks, (item % blocks) * Self.blockRows)
                            gemm(transposeA: transposeX, transposeB: transposeY, m: min(Self.blockRows, r - first), n: c, k: k,
                                 alpha: alpha, a: x + head * r * k + (transposeX ? first : first * k), lda: lda,
                                 b: y + head * k * c, ldb: ldb, beta: beta, c: out + head * r * c + first * c, ldc: ldc,
                                 threads: 1)
                        }
                        return
                    }
                    batchedGEMM(count: heads, transposeA: transposeX, transposeB: transposeY, m: r, n: c, k: k,
                                alpha: alpha, a: x, lda: lda, strideA: r * k, b: y, ldb: ldb, strideB: k * c,
                                beta: beta, c: out, ldc: ldc, strideC: r * c)
                }
            }
        }
    }

    /// Each head's `[r, c]` matrix transposed: `[G, r, c]` → `[G, c, r]`, in strips of 32 rows on all threads
    /// (`transpose`), so the products that need Xᵀ read it untransposed (a transposed operand is packed
    /// element by element). Cost one read and one write of X.
    func transposed(_ x: Tensor<Float>, rows r: Int, columns c: Int) -> Tensor<Float> {
        precondition(x.count == heads * r * c, "transpose shape does not match")
        let strip = 32, strips = (r + strip - 1) / strip
        var out = Tensor<Float>(zeros: [heads, c, r])
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                parallelFor(heads * strips) { item in
                    let (head, i0) = (item / strips, (item % strips) * strip)
                    transpose(x + head * r * c + i0 * c, rows: min(strip, r - i0), columns: c,
                              into: out + head * r * c + i0, ld: r)
                }
            }
        }
        return out
    }
}
