import Kernels

/// `NormalizedFeatureAttention`'s forward pass with the feature map applied chunk by chunk into each worker's
/// L1 scratch instead of into whole `[G, N, r]` tensors, and the denominator computed from the same tiles:
///
///     o_i = Σ_{j visible from i} (φq_i·φk_j)·v_j / (φq_i·z_i + ε),   z_i = Σ_{j visible from i} φk_j
///
/// Shapes: q, k, v, o `[G, N, D]` (raw inputs, G = B·H heads); denominators `[G, N]` (ε included); r features.
///
/// Causal (chunks of C tokens, `ChunkedLinearAttention`'s split):
///  1. per (head, chunk) but the last: φ(K_c), its state ΔS_c = φ(K_c)ᵀ·V_c `[r, D]` and column sums Δz_c `[r]`;
///  2. exclusive prefix scans of ΔS and Δz over the chunks (`ChunkStates.scan`);
///  3. per (head, chunk): φ(Q_c), φ(K_c) again, P = mask(φ(Q_c)·φ(K_c)ᵀ), o_c = P·V_c + φ(Q_c)·S_c and
///     den_i = Σ_j P_ij + φq_i·z_c + ε, each output row written once, already divided.
/// Non-causal: per (head, token segment) partial S and z from 64-row blocks (summed in segment order, so a
/// thread count always gives the same bits), then per 64-row block o = φ(Q)·S / (φ(Q)·z + ε).
/// Cost per token and head: `ChunkedLinearAttention.flops(r, D)` + ≈ 4·r (the column sums, the φq·z dot and
/// the score row sums) + 3·φ causal (φ(K) is computed in passes 1 and 3) or 2·φ non-causal.
/// Memory: the chunk states G·chunks·r·(D + 1) floats (non-causal G·segments·r·(D + 1)) and per worker
/// `ChunkScratch`; no `[G, N, r]` feature tensor.
struct ChunkedFeatureAttention<Map: FeatureMap> {
    let featureMap: Map
    let heads: Int, length: Int, features: Int, headDimension: Int
    let causal: Bool
    /// Multiplies q·k inside the map (see each map).
    let scale: Float
    /// The map's query signs (one per feature), or nil.
    let querySigns: [Float]?

    var engine: ChunkedLinearAttention {
        ChunkedLinearAttention(heads: heads, length: length, keyWidth: features, valueWidth: headDimension, causal: causal)
    }

    /// FLOPs per token and head (see the type's notes).
    static func flops(featureMap: Map, features r: Int, headDimension d: Int, causal: Bool) -> Double {
        ChunkedLinearAttention.flops(keyWidth: r, valueWidth: d, causal: causal) + Double(4 * r)
            + Double(causal ? 3 : 2) * featureMap.flops(headDimension: d)
    }

    /// Writes o `[G, N, D]` and the denominators `[G, N]`.
    func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                 output o: UnsafeMutablePointer<Float>, denominator den: UnsafeMutablePointer<Float>) {
        let engine = engine
        if causal {
            causalForward(engine, q: q, k: k, v: v, output: o, denominator: den)
        } else {
            nonCausalForward(engine, q: q, k: k, v: v, output: o, denominator: den)
        }
    }

    private func causalForward(_ engine: ChunkedLinearAttention, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                               v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                               denominator den: UnsafeMutablePointer<Float>) {
        let (n, d, r, chunks) = (length, headDimension, features, engine.chunkCount)
        let states = ChunkStates(heads: heads, chunks: chunks, keyWidth: r, valueWidth: d, decay: false)
        let sums = ChunkStates(heads: heads, chunks: chunks, keyWidth: 1, valueWidth: r, decay: false)
        defer {
            states.free()
            sums.free()
        }
        engine.withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: engine.threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                guard c + 1 < chunks else { return }
                let rows = engine.rows(c), s = scratch(worker), first = g * n + rows.lowerBound
                featureMap.apply(k + first * d, rows: rows.count, d: d, scale: scale, into: s.keys)
                smallGEMM(transposeA: true, m: r, n: d, k: rows.count, a: s.keys, lda: r, b: v + first * d, ldb: d,
                          c: states.state(g, c), ldc: d)
                columnSums(s.keys, rows: rows.count, into: sums.state(g, c))
            }
        }
        states.scan(reverse: false, threads: engine.threads)
        sums.scan(reverse: false, threads: engine.threads)
        engine.withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: engine.threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let rows = engine.rows(c), s = scratch(worker), first = g * n + rows.lowerBound
                let count = rows.count
                queryFeatures(q + first * d, rows: count, into: s.queries)
                featureMap.apply(k + first * d, rows: count, d: d, scale: scale, into: s.keys)
                engine.normalizedChunkOutput(head: g, chunk: c, states: states, sums: sums, values: v, output: o,
                                             denominator: den, epsilon: featureMap.epsilon, scratch: s)
            }
        }
    }

    private func nonCausalForward(_ engine: ChunkedLinearAttention, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                  v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                                  denominator den: UnsafeMutablePointer<Float>) {
        let (n, d, r, block) = (length, headDimension, features, engine.chunk)
        let segments = engine.stateSegments
        // Per (head, segment) the partial [S | z] `[r, D]` + `[r]`; slot 0 of each head ends as the total.
        let slot = r * (d + 1)
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: heads * segments * slot)
        defer { partials.deallocate() }
        engine.withChunkScratch { scratch in
            parallelForWorkers(heads * segments, threads: engine.threads) { item, worker in
                let (g, segment) = item.quotientAndRemainder(dividingBy: segments)
                let tokens = segment * n / segments ..< (segment + 1) * n / segments
                let (state, sum, s) = (partials + item * slot, partials + item * slot + r * d, scratch(worker))
                state.update(repeating: 0, count: slot)
                for start in stride(from: tokens.lowerBound, to: tokens.upperBound, by: block) {
                    let count = min(block, tokens.upperBound - start), first = g * n + start
                    featureMap.apply(k + first * d, rows: count, d: d, scale: scale, into: s.keys)
                    smallGEMM(transposeA: true, m: r, n: d, k: count, a: s.keys, lda: r, b: v + first * d, ldb: d,
                              accumulate: true, c: state, ldc: d)
                    columnSums(s.keys, rows: count, into: sum, accumulate: true)
                }
            }
        }
        engine.addSegments(partials, segments: segments, size: slot)
        let blocks = (n + block - 1) / block
        engine.withChunkScratch { scratch in
            parallelForWorkers(heads * blocks, threads: engine.threads) { item, worker in
                let (g, b) = item.quotientAndRemainder(dividingBy: blocks)
                let first = g * n + b * block, count = min(block, n - b * block), s = scratch(worker)
                let (state, sum) = (partials + g * segments * slot, partials + g * segments * slot + r * d)
                queryFeatures(q + first * d, rows: count, into: s.queries)
                smallGEMM(m: count, n: d, k: r, a: s.queries, lda: r, b: state, ldb: d, c: o + first * d, ldc: d)
                for i in 0..<count { den[first + i] = dotProduct(s.queries + i * r, sum, count: r) }
                normalizeRows(o + first * d, denominators: den + first, rows: count, width: d, epsilon: featureMap.epsilon)
            }
        }
    }

    /// φ(q) `[rows, r]` times the query signs.
    private func queryFeatures(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        featureMap.apply(x, rows: rows, d: headDimension, scale: scale, into: out)
        if let querySigns { multiplyRows(out, rows: rows, by: querySigns) }
    }

    /// sums (+)= Σ_i x_i over the rows of x `[rows, r]`.
    private func columnSums(_ x: UnsafePointer<Float>, rows: Int, into sums: UnsafeMutablePointer<Float>,
                            accumulate: Bool = false) {
        if !accumulate { sums.update(repeating: 0, count: features) }
        for i in 0..<rows { zipLanes(sums, x + i * features, into: sums, count: features) { $0 + $1 } }
    }
}

extension ChunkedLinearAttention {
    /// Pass 3 of a normalised causal forward for chunk c of head g, with φ(Q_c), φ(K_c) `[L, r]` in the
    /// scratch's `queries` and `keys` and the exclusive prefix state S_c `[r, D]` and sum z_c `[r]` in
    /// `states`, `sums`: P = mask(φ(Q_c)·φ(K_c)ᵀ), o_c = (P·V_c + φ(Q_c)·S_c) / den with
    /// den_i = Σ_j P_ij + φq_i·z_c + ε, each output row written once.
    func normalizedChunkOutput(head g: Int, chunk c: Int, states: ChunkStates, sums: ChunkStates,
                               values v: UnsafePointer<Float>, output o: UnsafeMutablePointer<Float>,
                               denominator den: UnsafeMutablePointer<Float>, epsilon: Float, scratch s: ChunkScratch) {
        let (r, d, first, count) = (keyWidth, valueWidth, g * length + rows(c).lowerBound, rows(c).count)
        let out = o + first * d
        maskedScores(s.queries, s.keys, count: count, scratch: s)
        for i in 0..<count {
            den[first + i] = pairwiseSum(s.scores + i * chunk, count: i + 1)
                + (c > 0 ? dotProduct(s.queries + i * r, sums.state(g, c), count: r) : 0)
        }
        smallGEMM(m: count, n: d, k: count, a: s.scores, lda: chunk, b: v + first * d, ldb: d, c: out, ldc: d,
                  triangle: .lowerA)
        if c > 0 {
            smallGEMM(m: count, n: d, k: r, a: s.queries, lda: r, b: states.state(g, c), ldb: d, accumulate: true,
                      c: out, ldc: d)
        }
        normalizeRows(out, denominators: den + first, rows: count, width: d, epsilon: epsilon)
    }
}

/// den_i += ε, then o_i /= den_i (zeros where den_i ≤ 0), for `rows` rows of o `[rows, width]`.
func normalizeRows(_ o: UnsafeMutablePointer<Float>, denominators den: UnsafeMutablePointer<Float>, rows: Int, width d: Int,
                   epsilon: Float) {
    for i in 0..<rows {
        den[i] += epsilon
        let inverse = MixerVector(repeating: den[i] > 0 ? 1 / den[i] : 0)
        zipLanes(o + i * d, o + i * d, into: o + i * d, count: d) { x, _ in x * inverse }
    }
}
