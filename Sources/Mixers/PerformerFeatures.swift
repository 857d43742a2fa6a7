import Foundation
import Kernels

/// FAVOR+ positive orthogonal random features (Choromanski et al. 2020; google-research
/// `performer/fast_attention/jax/fast_attention.py`).
///
/// Projection W `[m, D]`: Gaussian D×D blocks orthonormalised (Gram–Schmidt in Float64, rows of the
/// block), stacked until m rows (the last block cut), each row then rescaled by the norm of an independent
/// Gaussian D-vector. Features, with x̂ = √s·x (s = scale, so x̂ = x·D^{−1/4} by default) and u = W·x̂:
///
///     φ(x)_l = m^{−1/2}·(exp(u_l − ‖x̂‖²/2 − c) + 1e−4)
///
/// c is a stabiliser as in the reference code: per query row max_l u_l, and for keys the maximum over the
/// whole head's keys and features. Because the key stabiliser spans all keys, a causal Performer's keys see
/// the future through the 1e−4 term only (as in the reference code). The stabiliser is differentiated too
/// (the gradient reaches its arg-max), so the backward pass is the exact derivative of this formula.
enum PerformerFeatures {
    static let epsilon: Float = 1e-4

    /// W `[m, d]` for draw number `stream` of `seed` (stream 0 unless features are redrawn).
    static func draw(features m: Int, headDimension d: Int, seed: UInt64, stream: UInt64) -> Tensor<Float> {
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ stream)
        var rows: [[Double]] = []
        while rows.count < m {
            var block: [[Double]] = []
            for _ in 0..<d {
                var v = (0..<d).map { _ in generator.nextNormal() }
                for u in block {
                    let projection = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
                    for a in 0..<d { v[a] -= projection * u[a] }
                }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                block.append(v.map { $0 / norm })
            }
            rows += block.prefix(m - rows.count)
        }
        let multipliers = (0..<m).map { _ in (0..<d).reduce(0.0) { s, _ in let g = generator.nextNormal(); return s + g * g }.squareRoot() }
        return Tensor(shape: [m, d], elements: (0..<m).flatMap { l in rows[l].map { Float($0 * multipliers[l]) } })
    }

    /// φ(x) `[G, N, m]` for x `[G, N, d]`; also returns E = m^{−1/2}·exp(u − ‖x̂‖²/2 − c) for the backward pass
    /// and the arg-max positions of c (per row for queries, per head for keys) as flat indices into E.
    static func features(
        _ x: Tensor<Float>, projection w: Tensor<Float>, shape: MixerShape, scale: Float, isQuery: Bool
    ) -> (features: Tensor<Float>, exponentials: Tensor<Float>, argmax: [Int]) {
        let (rows, n, d, m) = (shape.flatHeads * shape.length, shape.length, shape.headDimension, w.shape[0])
        let root = scale.squareRoot()
        var u = Tensor<Float>(zeros: [shape.flatHeads, n, m])
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                u.withUnsafeMutableBufferPointer { u in
                    gemm(transposeB: true, m: rows, n: m, k: d, alpha: root, a: x.baseAddress!, lda: d,
                         b: w.baseAddress!, ldb: d, c: u.baseAddress!, ldc: m)
                }
            }
        }
        let groups = isQuery ? rows : shape.flatHeads, perGroup = isQuery ? 1 : n
        var argmax = [Int](repeating: 0, count: groups)
        let ratio = 1 / Float(m).squareRoot()
        x.withUnsafeBufferPointer { x in
            u.withUnsafeMutableBufferPointer { u in
                argmax.withUnsafeMutableBufferPointer { best in
                    let (x, u, best) = (x.baseAddress!, u.baseAddress!, best.baseAddress!)
                    parallelFor(groups) { group in
                        let first = group * perGroup * m
                        var top = first
                        for i in first..<(first + perGroup * m) where u[i] > u[top] { top = i }
                        best[group] = top
                        let c = u[top]
                        for row in (group * perGroup)..<((group + 1) * perGroup) {
                            let half = scale * dotProduct(x + row * d, x + row * d, count: d) / 2
                            let shift = MixerVector(repeating: half + c)
                            zipLanes(u + row * m, u + row * m, into: u + row * m, count: m) { t, _ in t - shift }
                            Kernels.exp(u + row * m, u + row * m, count: m)
                            zipLanes(u + row * m, u + row * m, into: u + row * m, count: m) { t, _ in t * MixerVector(repeating: ratio) }
                        }
                    }
                }
            }
        }
        var phi = u
        phi.withUnsafeMutableBufferPointer { p in
            let shift = MixerVector(repeating: ratio * epsilon)
            zipLanes(p.baseAddress!, p.baseAddress!, into: p.baseAddress!, count: p.count) { t, _ in t + shift }
        }
        return (phi, u, argmax)
    }

    /// dx `[G, N, d]` from dφ: with G = dφ ⊙ E, du = G plus the stabiliser's −Σ G at its arg-max,
    /// dx̂ = du·W − x̂·Σ_l G_l, dx = √s·dx̂.
    static func backward(
        _ x: Tensor<Float>, projection w: Tensor<Float>, exponentials e: Tensor<Float>, argmax: [Int],
        gradFeatures: Tensor<Float>, shape: MixerShape, scale: Float, isQuery: Bool
    ) -> Tensor<Float> {
        let (rows, n, d, m) = (shape.flatHeads * shape.length, shape.length, shape.headDimension, w.shape[0])
        var du = gradFeatures
        var rowSums = [Float](repeating: 0, count: rows)
        e.withUnsafeBufferPointer { e in
            du.withUnsafeMutableBufferPointer { du in
                rowSums.withUnsafeMutableBufferPointer { sums in
                    let (e, du, sums) = (e.baseAddress!, du.baseAddress!, sums.baseAddress!)
                    parallelFor(rows) { row in
                        multiplyInto(e + row * m, du + row * m, count: m)
                        var total: Float = 0
                        for l in 0..<m { total += du[row * m + l] }
                        sums[row] = total
                    }
                    let perGroup = isQuery ? 1 : n
                    for (group, top) in argmax.enumerated() {
                        let total = (group * perGroup ..< (group + 1) * perGroup).reduce(Float(0)) { $0 + sums[$1] }
                        du[top] -= total
                    }
                }
            }
        }
        var dx = Tensor<Float>(zeros: x.shape)
        let root = scale.squareRoot()
        du.withUnsafeBufferPointer { du in
            w.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer { dx in
                    gemm(m: rows, n: d, k: m, alpha: root, a: du.baseAddress!, lda: m, b: w.baseAddress!, ldb: d,
                         c: dx.baseAddress!, ldc: d)
                }
            }
        }
        x.withUnsafeBufferPointer { x in
            dx.withUnsafeMutableBufferPointer { dx in
                for row in 0..<rows {
                    addScaled(x.baseAddress! + row * d, -scale * rowSums[row], into: dx.baseAddress! + row * d, count: d)
                }
            }
        }
        return dx
    }
}
