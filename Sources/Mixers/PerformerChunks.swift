import Kernels

/// Performer's features as a `ChunkFeatureSource` for `ChunkedFeatureAttentionBackward`: φ computed per chunk
/// (`PerformerFeatureChunks`, keys with the forward's per-head stabilisers) and each chunk's dφ mapped
/// straight into dq, dk `[G·N, D]`.
///
/// With E = φ − m^{−1/2}·ε and G = dφ ⊙ E: du = G minus, at the stabiliser's arg-max, Σ G over the rows
/// sharing it; dx = du·Wₛ − s·x·Σ_l G_l (Wₛ = √s·W). A query row's stabiliser is its own, so its term
/// goes into du before the `smallGEMM`; the keys' needs the head's total, so each key row's Σ G goes to
/// `keyRowSums` and `addKeyStabiliserGradients` adds the heads' terms after the pass.
/// Cost per row: φ (each time asked) + 2·m·D + 3·m FLOPs for the gradient.
struct PerformerChunks: ChunkFeatureSource {
    let map: PerformerFeatureChunks
    let q: UnsafePointer<Float>, k: UnsafePointer<Float>
    /// Per head `[G]`.
    let stabilisers: UnsafePointer<KeyStabiliser>
    let dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>
    /// Each query row's arg-max feature and each key row's Σ G `[G·N]`, filled during the pass.
    let queryArgmax: UnsafeMutablePointer<Int>, keyRowSums: UnsafeMutablePointer<Float>

    var features: Int { map.features }

    func queryFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        map.queryFeatures(q, rows, into: out, argmax: queryArgmax)
    }

    func keyFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        map.keyFeatures(k, rows, stabiliser: stabilisers[rows.lowerBound / map.length].value, into: out)
    }

    func queryGradient(_ rows: Range<Int>, features phi: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        mapBack(q, rows, features: phi, gradient: gradient, into: dq) { row, du, total in du[queryArgmax[row]] -= total }
    }

    func keyGradient(_ rows: Range<Int>, features phi: UnsafeMutablePointer<Float>, gradient: UnsafeMutablePointer<Float>) {
        mapBack(k, rows, features: phi, gradient: gradient, into: dk) { row, _, total in keyRowSums[row] = total }
    }

    /// dk[row*] −= (Σ G over the head's keys)·Wₛ[l*] for each head's stabiliser (row*, l*), after the pass.
    func addKeyStabiliserGradients(heads: Int) {
        let (n, d) = (map.length, map.headDimension)
        for g in 0..<heads {
            let total = pairwiseSum(keyRowSums + g * n, count: n), top = stabilisers[g]
            addScaled(map.scaledWeights + top.feature * d, -total, into: dk + top.row * d, count: d)
        }
    }

    /// du = dφ ⊙ E into `gradient` row by row, `stabiliser(row, du, Σ G)` per row, then dx of the rows.
    private func mapBack(_ x: UnsafePointer<Float>, _ rows: Range<Int>, features phi: UnsafePointer<Float>,
                         gradient du: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>,
                         stabiliser: (Int, UnsafeMutablePointer<Float>, Float) -> Void) {
        let (m, d) = (map.features, map.headDimension)
        let floor = MixerVector(repeating: PerformerFeatures.epsilon / Float(m).squareRoot())
        var totals = [Float](repeating: 0, count: rows.count)
        for (i, row) in rows.enumerated() {
            zipLanes(du + i * m, phi + i * m, into: du + i * m, count: m) { $0 * ($1 - floor) }
            totals[i] = pairwiseSum(du + i * m, count: m)
            stabiliser(row, du + i * m, totals[i])
        }
        let target = dx + rows.lowerBound * d
        smallGEMM(m: rows.count, n: d, k: m, a: du, lda: m, b: map.scaledWeights, ldb: d, c: target, ldc: d)
        for (i, row) in rows.enumerated() {
            addScaled(x + row * d, -map.scale * totals[i], into: target + i * d, count: d)
        }
    }
}
