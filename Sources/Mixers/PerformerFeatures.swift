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

    /// Rows per work item of the fused passes: a [128, m] block of u stays in L2 between its GEMM and its exp.
    static let blockRows = 128

    /// φ(x) `[G, N, m]` for x `[G, N, d]`, and the arg-max positions of c (per row for queries, per head for
    /// keys) as flat indices into φ, for the backward pass.
    ///
    /// Fused per block of `blockRows` rows of one head, on all threads: u = √s·x·Wᵀ (single-threaded GEMM,
    /// written into φ), then each row's shift and exp in place while the block is in cache. Queries take their
    /// stabiliser from the row itself, so that is one pass; keys need the head's maximum first, so their
    /// exp is a second pass over the blocks. Cost 2·N·m·d FLOPs + N·m exps per head.
    static func features(
        _ x: Tensor<Float>, projection w: Tensor<Float>, shape: MixerShape, scale: Float, isQuery: Bool
    ) -> (features: Tensor<Float>, argmax: [Int]) {
        let (g, n, d, m) = (shape.flatHeads, shape.length, shape.headDimension, w.shape[0])
        let blocksPerHead = (n + blockRows - 1) / blockRows
        var phi = Tensor<Float>(zeros: [g, n, m])
        var argmax = [Int](repeating: 0, count: isQuery ? g * n : g)
        var blockTops = [Int](repeating: 0, count: g * blocksPerHead)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                phi.withUnsafeMutableBufferPointer { phi in
                    argmax.withUnsafeMutableBufferPointer { best in
                        blockTops.withUnsafeMutableBufferPointer { tops in
                            let map = FeatureMapPointers(x: x.baseAddress!, w: w.baseAddress!, phi: phi.baseAddress!,
                                                         d: d, m: m, scale: scale)
                            parallelFor(g * blocksPerHead) { item in
                                let rows = map.rows(block: item % blocksPerHead, head: item / blocksPerHead, n: n)
                                map.project(rows)
                                if isQuery {
                                    for row in rows { best[row] = map.exponentiate(row, shift: map.rowMaximum(row)) }
                                } else {
                                    tops[item] = map.blockMaximum(rows)
                                }
                            }
                            if isQuery { return }
                            for head in 0..<g {
                                // The first block holding the head's largest u (its first position, as a scan would find).
                                best[head] = (0..<blocksPerHead).map { tops[head * blocksPerHead + $0] }
                                    .reduce(tops[head * blocksPerHead]) { map.phi[$1] > map.phi[$0] ? $1 : $0 }
                            }
                            // Read before the pass below overwrites u with φ.
                            let stabilisers = (0..<g).map { map.phi[best[$0]] }
                            parallelFor(g * blocksPerHead) { item in
                                let head = item / blocksPerHead
                                for row in map.rows(block: item % blocksPerHead, head: head, n: n) {
                                    _ = map.exponentiate(row, shift: (best[head], stabilisers[head]))
                                }
                            }
                        }
                    }
                }
            }
        }
        return (phi, argmax)
    }

    /// dx `[G, N, d]` from dφ and φ: with E = φ − m^{−1/2}·ε = m^{−1/2}·exp(u − ‖x̂‖²/2 − c) and G = dφ ⊙ E,
    /// du = G plus the stabiliser's −Σ G at its arg-max, dx̂ = du·W − x̂·Σ_l G_l, dx = √s·dx̂.
    ///
    /// Fused per block of `blockRows` rows on all threads (G in a per-block scratch, the GEMM
    /// single-threaded); the arg-max terms are then added as rank-one corrections dx[row*] −= √s·ΣG·W[l*].
    /// Cost 2·N·m·d + 3·N·m FLOPs per head.
    static func backward(
        _ x: Tensor<Float>, projection w: Tensor<Float>, features phi: Tensor<Float>, argmax: [Int],
        gradFeatures: Tensor<Float>, shape: MixerShape, scale: Float, isQuery: Bool
    ) -> Tensor<Float> {
        let (g, n, d, m) = (shape.flatHeads, shape.length, shape.headDimension, w.shape[0])
        let blocksPerHead = (n + blockRows - 1) / blockRows
        let root = scale.squareRoot()
        var dx = Tensor<Float>(zeros: x.shape)
        var rowSums = [Float](repeating: 0, count: g * n)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                phi.withUnsafeBufferPointer { phi in
                    gradFeatures.withUnsafeBufferPointer { dphi in
                        dx.withUnsafeMutableBufferPointer { dx in
                            rowSums.withUnsafeMutableBufferPointer { sums in
                                let (x, w, phi, dphi, dx, sums) = (x.baseAddress!, w.baseAddress!, phi.baseAddress!,
                                                                   dphi.baseAddress!, dx.baseAddress!, sums.baseAddress!)
                                let floor = MixerVector(repeating: epsilon / Float(m).squareRoot())
                                parallelFor(g * blocksPerHead) { item in
                                    let first = (item / blocksPerHead) * n + (item % blocksPerHead) * blockRows
                                    let count = min(blockRows, (item / blocksPerHead + 1) * n - first)
                                    let du = UnsafeMutablePointer<Float>.allocate(capacity: count * m)
                                    defer { du.deallocate() }
                                    for r in 0..<count {
                                        let row = first + r
                                        zipLanes(dphi + row * m, phi + row * m, into: du + r * m, count: m) { $0 * ($1 - floor) }
                                        sums[r + first] = pairwiseSum(du + r * m, count: m)
                                    }
                                    gemm(m: count, n: d, k: m, alpha: root, a: du, lda: m, b: w, ldb: d,
                                         c: dx + first * d, ldc: d, threads: 1)
                                    for row in first..<(first + count) {
                                        addScaled(x + row * d, -scale * sums[row], into: dx + row * d, count: d)
                                    }
                                }
                                let perGroup = isQuery ? 1 : n
                                for (group, top) in argmax.enumerated() {
                                    let total = (group * perGroup ..< (group + 1) * perGroup).reduce(Float(0)) { $0 + sums[$1] }
                                    addScaled(w + (top % m) * d, -root * total, into: dx + (top / m) * d, count: d)
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// The buffers of one `PerformerFeatures.features` call: x `[G·N, d]`, W `[m, d]`, φ `[G·N, m]` (u before `exponentiate`).
private struct FeatureMapPointers {
    let x: UnsafePointer<Float>, w: UnsafePointer<Float>
    let phi: UnsafeMutablePointer<Float>
    let d: Int, m: Int, scale: Float

    /// The rows (indices into G·N) of block `block` of head `head`.
    func rows(block: Int, head: Int, n: Int) -> Range<Int> {
        let first = head * n + block * PerformerFeatures.blockRows
        return first..<min(first + PerformerFeatures.blockRows, (head + 1) * n)
    }

    /// φ[rows] = u = √s·x[rows]·Wᵀ, on the calling thread.
    func project(_ rows: Range<Int>) {
        gemm(transposeB: true, m: rows.count, n: m, k: d, alpha: scale.squareRoot(), a: x + rows.lowerBound * d, lda: d,
             b: w, ldb: d, c: phi + rows.lowerBound * m, ldc: m, threads: 1)
    }

    /// The flat index of the row's largest u (its first occurrence) and that u.
    func rowMaximum(_ row: Int) -> (Int, Float) {
        let top = maximum(phi + row * m, count: m)
        return (row * m + ((0..<m).first { phi[row * m + $0] == top } ?? 0), top)
    }

    /// The flat index of the largest u in `rows` (its first occurrence).
    func blockMaximum(_ rows: Range<Int>) -> Int {
        let tops = rows.map { maximum(phi + $0 * m, count: m) }
        let top = tops.indices.reduce(0) { tops[$1] > tops[$0] ? $1 : $0 }
        return rowMaximum(rows.lowerBound + top).0
    }

    /// φ[row] = m^{−1/2}·(exp(u − s·‖x‖²/2 − c) + ε) in place of u, for the stabiliser `shift` = (its
    /// position, c); returns the position.
    func exponentiate(_ row: Int, shift: (Int, Float)) -> Int {
        let half = scale * dotProduct(x + row * d, x + row * d, count: d) / 2
        let offset = MixerVector(repeating: half + shift.1)
        let ratio = MixerVector(repeating: 1 / Float(m).squareRoot())
        let floor = ratio * MixerVector(repeating: PerformerFeatures.epsilon)
        let u = phi + row * m
        zipLanes(u, u, into: u, count: m) { t, _ in multiplyAdd(vectorExp(t - offset), ratio, floor) }
        return shift.0
    }
}
