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

    /// Runs `body` with the chunk map of projection W `[m, d]` for `shape` and scale s (its √s·Wᵀ and √s·W
    /// live for the call).
    static func withChunks<Result>(projection w: Tensor<Float>, shape: MixerShape, scale: Float,
                                   _ body: (PerformerFeatureChunks) -> Result) -> Result {
        let (m, d) = (w.shape[0], w.shape[1])
        let root = scale.squareRoot()
        let weights = UnsafeMutablePointer<Float>.allocate(capacity: 2 * m * d)
        defer { weights.deallocate() }
        w.withUnsafeBufferPointer { w in
            for l in 0..<m {
                for a in 0..<d {
                    weights[a * m + l] = root * w[l * d + a]
                    weights[m * d + l * d + a] = root * w[l * d + a]
                }
            }
        }
        return body(PerformerFeatureChunks(features: m, headDimension: d, length: shape.length, scale: scale,
                                           transposedWeights: weights, scaledWeights: weights + m * d))
    }

    /// Rows per work item of `features`.
    static let blockRows = 128

    /// φ(q) and φ(k) `[G, N, m]` for q, k `[G, N, d]` and the keys' stabiliser per head, on all threads per
    /// block of `blockRows` rows: queries in one pass; keys projected (u written into φ) with each block's
    /// largest u, then exponentiated with the head's. Cost 2·2·N·m·d FLOPs + 2·N·m exps per head.
    static func features(queries: Tensor<Float>, keys: Tensor<Float>, map: PerformerFeatureChunks, heads g: Int)
        -> (phiQ: Tensor<Float>, phiK: Tensor<Float>, stabilisers: [KeyStabiliser]) {
        let (n, m) = (map.length, map.features)
        let blocksPerHead = (n + blockRows - 1) / blockRows
        func rows(_ item: Int) -> Range<Int> {
            let first = (item / blocksPerHead) * n + (item % blocksPerHead) * blockRows
            return first ..< min(first + blockRows, (item / blocksPerHead + 1) * n)
        }
        var phiQ = Tensor<Float>(zeros: [g, n, m]), phiK = Tensor<Float>(zeros: [g, n, m])
        var tops = [KeyStabiliser](repeating: KeyStabiliser(value: 0, row: 0, feature: 0), count: g * blocksPerHead)
        var stabilisers: [KeyStabiliser] = []
        queries.withUnsafeBufferPointer { q in
            keys.withUnsafeBufferPointer { k in
                phiQ.withUnsafeMutableBufferPointer { phiQ in
                    phiK.withUnsafeMutableBufferPointer { phiK in
                        tops.withUnsafeMutableBufferPointer { tops in
                            let (q, k, phiQ, phiK) = (q.baseAddress!, k.baseAddress!, phiQ.baseAddress!, phiK.baseAddress!)
                            parallelFor(g * blocksPerHead) { item in
                                let rows = rows(item)
                                map.queryFeatures(q, rows, into: phiQ + rows.lowerBound * m, argmax: nil)
                                tops[item] = map.projectedMaximum(k, rows, into: phiK + rows.lowerBound * m)
                            }
                            stabilisers = headMaxima(UnsafeBufferPointer(tops), heads: g)
                            parallelFor(g * blocksPerHead) { item in
                                let rows = rows(item)
                                map.exponentiate(k, rows, u: phiK + rows.lowerBound * m,
                                                 shift: stabilisers[item / blocksPerHead].value, epsilon: epsilon)
                            }
                        }
                    }
                }
            }
        }
        return (phiQ, phiK, stabilisers)
    }

    /// Per head the largest of its blocks' maxima `[G·blocks]`: the first block holding it, as a scan of the
    /// whole head would find it.
    static func headMaxima(_ tops: UnsafeBufferPointer<KeyStabiliser>, heads: Int) -> [KeyStabiliser] {
        let blocks = tops.count / heads
        return (0..<heads).map { g in
            tops[g * blocks ..< (g + 1) * blocks].reduce(tops[g * blocks]) { $1.value > $0.value ? $1 : $0 }
        }
    }
}
