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
    /// Where φ is kept between the two times the causal pass asks for a chunk, or nil.
    let cache: PerformerFeatureCache?

    var features: Int { map.features }

    func queryFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        cached(cache?.queries, rows, into: out) { map.queryFeatures(q, rows, into: out, argmax: queryArgmax) }
    }

    func keyFeatures(_ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        cached(cache?.keys, rows, into: out) {
            map.keyFeatures(k, rows, stabiliser: stabilisers[rows.lowerBound / map.length].value, into: out)
        }
    }

    /// φ of `rows` from the store when it holds them, else made by `make` into `out` and stored.
    private func cached(_ store: PerformerFeatureCache.Store?, _ rows: Range<Int>, into out: UnsafeMutablePointer<Float>,
                        make: () -> Void) {
        let (start, count) = (rows.lowerBound * map.features, rows.count * map.features)
        guard let store else { return make() }
        if store.filled[rows.lowerBound] {
            out.update(from: store.features + start, count: count)
        } else {
            make()
            (store.features + start).update(from: out, count: count)
            store.filled[rows.lowerBound] = true
        }
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

/// φq and φk `[G·N, m]` as `PerformerChunks` made them, so the causal backward's second pass copies
/// instead of projecting again (2·2·m·D FLOPs + 2·m exps saved per row for 2·m floats written and read).
/// A chunk is marked by the flat row it starts at, so every request must use the same row ranges (true of
/// the causal pass's chunks, not of the non-causal pass's segment blocks, which get no cache); the passes
/// are separated by barriers, so each chunk's features are written by one worker before any other reads them.
struct PerformerFeatureCache {
    struct Store {
        let features: UnsafeMutablePointer<Float>
        let filled: UnsafeMutablePointer<Bool>
    }

    let queries: Store, keys: Store

    /// Runs `body` with an empty cache for `rows` rows of m features, its storage from `pool`.
    static func with<Result>(rows: Int, features m: Int, pool: BufferPool, _ body: (PerformerFeatureCache) -> Result) -> Result {
        let filled = UnsafeMutablePointer<Bool>.allocate(capacity: 2 * rows)
        defer { filled.deallocate() }
        filled.initialize(repeating: false, count: 2 * rows)
        return pool.with(count: 2 * rows * m) { features in
            body(PerformerFeatureCache(queries: Store(features: features, filled: filled),
                                       keys: Store(features: features + rows * m, filled: filled + rows)))
        }
    }
}
