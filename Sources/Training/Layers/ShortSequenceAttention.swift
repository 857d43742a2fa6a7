import Attention
import Foundation

/// Exact softmax attention for short sequences, with the probabilities kept: the flash kernels tile
/// keys in blocks of 64 and heads in 16-lane vectors, so at N = 17, d = 8 (the D-retrieval model)
/// most of their work is padding. Same formula, masks and scale as `scaledDotProductAttention`, and
/// checked against the same Float64 reference.
///
/// Reads queries, keys and values straight from the fused projection `[B·N, 3·H·d]` (head-major
/// q | k | v) and writes the heads' outputs side by side `[B·N, H·d]`. Keeps P `[B, H, N, N]`.
/// Cost: forward 4·B·H·N²·d FLOPs plus B·H·N² exponentials; backward 8·B·H·N²·d. Single-threaded.
struct ShortSequenceAttention {
    /// The longest sequence this path takes; longer ones go through the flash kernels.
    static let maximumLength = 64
    let heads: Int
    let headDimension: Int
    let length: Int
    let mask: AttentionMask
    let scale: Float
    let probabilities: FloatBuffer
    /// `[N]`: dP of one query row.
    private let gradScores: FloatBuffer

    init(heads: Int, headDimension: Int, length: Int, mask: AttentionMask, scale: Float, batch: Int) {
        self.heads = heads
        self.headDimension = headDimension
        self.length = length
        self.mask = mask
        self.scale = scale
        probabilities = FloatBuffer(count: batch * heads * length * length)
        gradScores = FloatBuffer(count: length)
    }

    /// The keys query i sees: 0..<N, 0...i (causal) or within the window.
    private func visible(_ i: Int) -> Range<Int> { mask.visibleKeys(for: i..<i + 1, keyCount: length) }

    func forward(_ projected: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, n, d) = (heads, length, headDimension)
        let stride = 3 * h * d
        for b in 0..<batch {
            for head in 0..<h {
                let p = probabilities.pointer + (b * h + head) * n * n
                for i in 0..<n {
                    let q = projected + (b * n + i) * stride + head * d
                    let row = p + i * n, keys = visible(i)
                    row.update(repeating: 0, count: n)
                    let k = projected + b * n * stride + (h + head) * d
                    dotRows(q, k, stride: stride, keys, d, into: row)
                    var top = -Float.infinity
                    for j in keys {
                        row[j] *= scale
                        top = max(top, row[j])
                    }
                    var total: Float = 0
                    for j in keys {
                        row[j] = Foundation.exp(row[j] - top)
                        total += row[j]
                    }
                    let o = output + (b * n + i) * h * d + head * d
                    o.update(repeating: 0, count: d)
                    for j in keys {
                        row[j] /= total
                        accumulateScaled(row[j], projected + (b * n + j) * stride + (2 * h + head) * d, into: o, d)
                    }
                }
            }
        }
    }

    /// `into[j] = a·rows[j]` for j in `keys`, rows `stride` floats apart, `d` floats each; four rows at a
    /// time so the dot products run side by side (each the same bits as `vectorDot`).
    private func dotRows(_ a: UnsafePointer<Float>, _ rows: UnsafePointer<Float>, stride: Int, _ keys: Range<Int>, _ d: Int,
                         into result: UnsafeMutablePointer<Float>) {
        var j = keys.lowerBound
        while j + 4 <= keys.upperBound {
            let sums = vectorDot4(a, rows + j * stride, stride: stride, d)
            for k in 0..<4 { result[j + k] = sums[k] }
            j += 4
        }
        while j < keys.upperBound {
            result[j] = vectorDot(a, rows + j * stride, d)
            j += 1
        }
    }

    /// dQ, dK, dV into `gradProjected` (`[B·N, 3·H·d]`, overwritten) from dO `[B·N, H·d]`:
    /// dP = dO·Vᵀ, dS = P∘(dP − rowsum(P∘dP)), dQ = scale·dS·K, dK = scale·dSᵀ·Q, dV = Pᵀ·dO.
    func backward(_ projected: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                  gradProjected: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, n, d) = (heads, length, headDimension)
        let stride = 3 * h * d
        gradProjected.update(repeating: 0, count: batch * n * stride)
        let dP = gradScores.pointer
        for b in 0..<batch {
            for head in 0..<h {
                let p = probabilities.pointer + (b * h + head) * n * n
                for i in 0..<n {
                    let row = p + i * n, keys = visible(i)
                    let dO = gradOutput + (b * n + i) * h * d + head * d
                    dotRows(dO, projected + b * n * stride + (2 * h + head) * d, stride: stride, keys, d, into: dP)
                    var rowSum: Float = 0
                    for j in keys { rowSum += row[j] * dP[j] }
                    let q = projected + (b * n + i) * stride + head * d
                    let dQ = gradProjected + (b * n + i) * stride + head * d
                    for j in keys {
                        let dS = row[j] * (dP[j] - rowSum) * scale
                        let k = projected + (b * n + j) * stride + (h + head) * d
                        let dK = gradProjected + (b * n + j) * stride + (h + head) * d
                        let dV = gradProjected + (b * n + j) * stride + (2 * h + head) * d
                        accumulateScaled(dS, k, into: dQ, d)
                        accumulateScaled(dS, q, into: dK, d)
                        accumulateScaled(row[j], dO, into: dV, d)
                    }
                }
            }
        }
    }
}

