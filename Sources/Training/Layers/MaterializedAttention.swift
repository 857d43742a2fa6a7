import Attention
import Kernels

/// Exact softmax attention through the packed GEMM with the probabilities kept, for sequences of
/// medium length (64 < N ≤ 256): P `[B, H, N, N]` then costs ≤ 256 KiB per example and head, and the
/// six products run as GEMMs on blocks of 64 queries (or keys), skipping the blocks a causal or
/// sliding-window mask hides. Same formula, masks (not explicit tables) and scale as
/// `scaledDotProductAttention`, checked against the same Float64 reference.
///
/// Reads queries, keys and values in place from the fused projection `[B·N, 3·H·d]` (head-major
/// q | k | v; the GEMM's leading dimensions stride over the other parts) and writes the heads' outputs
/// side by side `[B·N, H·d]`: no head split or merge copies, and no flash-kernel allocations.
/// Cost: forward 4·B·H·N²·d FLOPs (causal: about 5/8 of it with 64-row blocks at N = 256) plus
/// B·H·N²/2 exponentials; backward 2× the forward products, without recomputing P. Single-threaded.
struct MaterializedAttention {
    /// The longest sequence this path takes; longer ones go through the flash kernels.
    static let maximumLength = 256
    /// Queries (or keys) per GEMM block.
    static let blockRows = 64
    let heads: Int
    let headDimension: Int
    let length: Int
    let mask: AttentionMask
    let scale: Float
    /// `[B, H, N, N]`: row i is zero outside the keys query i sees.
    let probabilities: FloatBuffer
    /// `[N, N]`: dS of one example and head (zero outside the visible keys, like P).
    private let gradScores: FloatBuffer

    init(heads: Int, headDimension: Int, length: Int, mask: AttentionMask, scale: Float, batch: Int) {
        self.heads = heads
        self.headDimension = headDimension
        self.length = length
        self.mask = mask
        self.scale = scale
        probabilities = FloatBuffer(count: batch * heads * length * length)
        gradScores = FloatBuffer(count: length * length)
    }

    /// The blocks of `blockRows` positions covering 0..<N.
    private var blocks: StrideTo<Int> { stride(from: 0, to: length, by: Self.blockRows) }

    private func block(_ first: Int) -> Range<Int> { first..<min(length, first + Self.blockRows) }

    /// P = softmax(scale·Q·Kᵀ + mask) and O = P·V per example and head.
    func forward(_ projected: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, n, d) = (heads, length, headDimension)
        let stride = 3 * h * d
        for b in 0..<batch {
            for head in 0..<h {
                let p = probabilities.pointer + (b * h + head) * n * n
                let q = projected + b * n * stride + head * d
                let k = q + h * d, v = q + 2 * h * d
                for first in blocks {
                    let rows = block(first), keys = mask.visibleKeys(for: rows, keyCount: n)
                    // S[rows, keys] = scale·Q[rows]·K[keys]ᵀ   // [rows, keys]
                    gemm(transposeB: true, m: rows.count, n: keys.count, k: d, alpha: scale,
                         a: q + rows.lowerBound * stride, lda: stride, b: k + keys.lowerBound * stride, ldb: stride,
                         c: p + rows.lowerBound * n + keys.lowerBound, ldc: n, threads: 1)
                    for i in rows { normalizeRow(p + i * n, query: i) }
                    // O[rows] = P[rows, keys]·V[keys]   // [rows, d]
                    gemm(m: rows.count, n: d, k: keys.count, a: p + rows.lowerBound * n + keys.lowerBound, lda: n,
                         b: v + keys.lowerBound * stride, ldb: stride,
                         c: output + (b * n + rows.lowerBound) * h * d + head * d, ldc: h * d, threads: 1)
                }
            }
        }
    }

    /// Row i of P from its scores: softmax over the keys query i sees, zero elsewhere in 0..<N.
    private func normalizeRow(_ row: UnsafeMutablePointer<Float>, query i: Int) {
        let seen = mask.visibleKeys(for: i..<i + 1, keyCount: length)
        row.update(repeating: 0, count: seen.lowerBound)
        softmaxRows(row + seen.lowerBound, rows: 1, columns: seen.count, rowStride: length)
        (row + seen.upperBound).update(repeating: 0, count: length - seen.upperBound)
    }

    /// dQ, dK, dV into `gradProjected` (`[B·N, 3·H·d]`, every element written) from dO `[B·N, H·d]`:
    /// dP = dO·Vᵀ, dS = scale·P∘(dP − rowsum(P∘dP)), dQ = dS·K, dK = dSᵀ·Q, dV = Pᵀ·dO.
    func backward(_ projected: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                  gradProjected: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, n, d) = (heads, length, headDimension)
        let stride = 3 * h * d
        let dS = gradScores.pointer
        for b in 0..<batch {
            for head in 0..<h {
                let p = probabilities.pointer + (b * h + head) * n * n
                let q = projected + b * n * stride + head * d
                let k = q + h * d, v = q + 2 * h * d
                let dO = gradOutput + b * n * h * d + head * d
                let dQ = gradProjected + b * n * stride + head * d
                let dK = dQ + h * d, dV = dQ + 2 * h * d
                for first in blocks {
                    let rows = block(first), keys = mask.visibleKeys(for: rows, keyCount: n)
                    // dP[rows, keys] = dO[rows]·V[keys]ᵀ, then dS in place
                    gemm(transposeB: true, m: rows.count, n: keys.count, k: d, a: dO + rows.lowerBound * h * d, lda: h * d,
                         b: v + keys.lowerBound * stride, ldb: stride, c: dS + rows.lowerBound * n + keys.lowerBound, ldc: n,
                         threads: 1)
                    for i in rows { scoreGradientRow(dS + i * n, probabilities: p + i * n, query: i) }
                    // dQ[rows] = dS[rows, keys]·K[keys]
                    gemm(m: rows.count, n: d, k: keys.count, a: dS + rows.lowerBound * n + keys.lowerBound, lda: n,
                         b: k + keys.lowerBound * stride, ldb: stride, c: dQ + rows.lowerBound * stride, ldc: stride,
                         threads: 1)
                }
                for first in blocks {
                    let keys = block(first), queries = mask.visibleQueries(for: keys, queryCount: n)
                    let offset = queries.lowerBound * n + keys.lowerBound
                    // dK[keys] = dS[queries, keys]ᵀ·Q[queries], dV[keys] = P[queries, keys]ᵀ·dO[queries]
                    gemm(transposeA: true, m: keys.count, n: d, k: queries.count, a: dS + offset, lda: n,
                         b: q + queries.lowerBound * stride, ldb: stride, c: dK + keys.lowerBound * stride, ldc: stride,
                         threads: 1)
                    gemm(transposeA: true, m: keys.count, n: d, k: queries.count, a: p + offset, lda: n,
                         b: dO + queries.lowerBound * h * d, ldb: h * d, c: dV + keys.lowerBound * stride, ldc: stride,
                         threads: 1)
                }
            }
        }
    }

    /// Row i of dS from dP (in `row`, over the keys query i sees) and P: scale·P∘(dP − Σ P∘dP), zero elsewhere.
    private func scoreGradientRow(_ row: UnsafeMutablePointer<Float>, probabilities p: UnsafePointer<Float>, query i: Int) {
        let seen = mask.visibleKeys(for: i..<i + 1, keyCount: length)
        let rowSum = dot(p + seen.lowerBound, row + seen.lowerBound, count: seen.count)
        row.update(repeating: 0, count: seen.lowerBound)
        for j in seen { row[j] = scale * p[j] * (row[j] - rowSum) }
        (row + seen.upperBound).update(repeating: 0, count: length - seen.upperBound)
    }
}
