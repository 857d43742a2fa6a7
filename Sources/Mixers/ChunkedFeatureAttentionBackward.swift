import Kernels

/// The backward pass of normalised feature attention (`ChunkedFeatureAttention`'s formula)
///
///     o_i = num_i / den_i,   num_i = Σ_{j visible from i} (φq_i·φk_j)·v_j,   den_i = Σ_{j visible} φq_i·φk_j + ε
///
/// with the features taken chunk by chunk from a `ChunkFeatureSource` into each worker's scratch (no
/// `[G, N, r]` tensors) and their gradients handed back per chunk. With g_i = dO_i/den_i and
/// dden_i = −(dO_i·o_i)/den_i (both 0 where den_i ≤ 0, as the forward outputs zeros there), the
/// denominator is one more value column of ones, so per chunk c (rows of the chunk, S_c, z_c the sums of
/// φkᵀ·v and φk over earlier chunks, R_c, w_c those of φqᵀ·g and dden·φq over later ones):
///
///     P = mask(g·Vᵀ + dden·1ᵀ)
///     dφq = P·φK + g·S_cᵀ + dden ⊗ z_c,   dφk = Pᵀ·φQ + V·R_cᵀ + 1 ⊗ w_c,   dV = mask(φQ·φKᵀ)ᵀ·g + φK·R_c.
///
/// Causal: pass 1 per (head, chunk) computes φ(K_c), φ(Q_c) and the chunk's own ΔS, Δz, ΔR, Δw; exclusive
/// prefix / suffix scans (`ChunkStates`); pass 2 per (head, chunk) recomputes φ and writes dV and (through
/// the source) dq, dk once. Non-causal: the totals S, z, R, w per head from token segments (in segment
/// order, so a thread count gives the same bits), then per 64-row block dφq = g·Sᵀ + dden ⊗ z,
/// dφk = V·Rᵀ + 1 ⊗ w, dV = φK·R. Every product is a `smallGEMM`.
/// Cost per token and head: 10·r·D (two state products, three row-times-state products) + 2 φ and one φ
/// backward for each of q and k, causal also ≈ C·(3·r + 2·D) for the five intra-chunk triangles. Memory
/// (causal): the chunk states and sums, 2·G·chunks·r·(D + 1) floats; per worker `FeatureBackwardScratch`.
struct ChunkedFeatureAttentionBackward<Source: ChunkFeatureSource> {
    let source: Source
    let heads: Int, length: Int, headDimension: Int
    let causal: Bool

    var engine: ChunkedLinearAttention {
        ChunkedLinearAttention(heads: heads, length: length, keyWidth: source.features, valueWidth: headDimension,
                               causal: causal)
    }

    /// Writes dV and, through the source, the feature gradients.
    func run(_ x: NormalizedBackwardInputs) {
        if causal { causalBackward(x) } else { nonCausalBackward(x) }
    }

    private func causalBackward(_ x: NormalizedBackwardInputs) {
        let engine = engine
        let (n, d, r, chunks) = (length, headDimension, source.features, engine.chunkCount)
        // Sᵀ `[D, r]` (pass 2 only multiplies by Sᵀ); R `[r, D]` (used both ways, transposed per chunk).
        let states = ChunkStates(heads: heads, chunks: chunks, keyWidth: d, valueWidth: r, decay: false)
        let sums = ChunkStates(heads: heads, chunks: chunks, keyWidth: 1, valueWidth: r, decay: false)
        let reverse = ChunkStates(heads: heads, chunks: chunks, keyWidth: r, valueWidth: d, decay: false)
        let reverseSums = ChunkStates(heads: heads, chunks: chunks, keyWidth: 1, valueWidth: r, decay: false)
        defer { [states, sums, reverse, reverseSums].forEach { $0.free() } }
        withScratch(engine) { scratch in
            parallelForWorkers(heads * chunks, threads: engine.threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let s = scratch(worker), first = g * n + engine.rows(c).lowerBound, count = engine.rows(c).count
                let rows = first ..< first + count
                if c + 1 < chunks {
                    source.keyFeatures(rows, into: s.keys)
                    smallGEMM(transposeA: true, m: d, n: r, k: count, a: x.v + first * d, lda: d, b: s.keys, ldb: r,
                              c: states.state(g, c), ldc: r)
                    weightedColumnSums(s.keys, rows: count, width: r, weights: nil, into: sums.state(g, c))
                }
                if c > 0 {
                    source.queryFeatures(rows, into: s.queries)
                    scaledGradients(x, rows: rows, scratch: s)
                    smallGEMM(transposeA: true, m: r, n: d, k: count, a: s.queries, lda: r, b: s.gradNumerator, ldb: d,
                              c: reverse.state(g, c), ldc: d)
                    weightedColumnSums(s.queries, rows: count, width: r, weights: s.gradDenominator,
                                       into: reverseSums.state(g, c))
                }
            }
        }
        states.scan(reverse: false, threads: engine.threads)
        sums.scan(reverse: false, threads: engine.threads)
        reverse.scan(reverse: true, threads: engine.threads)
        reverseSums.scan(reverse: true, threads: engine.threads)
        withScratch(engine) { scratch in
            parallelForWorkers(heads * chunks, threads: engine.threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let earlier = c > 0 ? ChunkSums(state: states.state(g, c), sum: sums.state(g, c)) : nil
                let later = c + 1 < chunks ? ChunkSums(state: reverse.state(g, c), sum: reverseSums.state(g, c)) : nil
                let first = g * n + engine.rows(c).lowerBound
                chunkGradients(x, rows: first ..< first + engine.rows(c).count, earlier: earlier, later: later,
                               scratch: scratch(worker), chunk: engine.chunk)
            }
        }
    }

    /// A state (Sᵀ `[D, r]` or R `[r, D]`) and its feature sum `[r]`.
    private struct ChunkSums {
        let state: UnsafePointer<Float>, sum: UnsafePointer<Float>
    }

    /// dV of one chunk and its feature gradients (see the type's formulas), given the sums over the
    /// earlier chunks (nil for the first) and the later ones (nil for the last).
    private func chunkGradients(_ x: NormalizedBackwardInputs, rows: Range<Int>, earlier: ChunkSums?, later: ChunkSums?,
                                scratch s: FeatureBackwardScratch, chunk: Int) {
        let (d, r, count, first) = (headDimension, source.features, rows.count, rows.lowerBound)
        let (v, dv) = (x.v + first * d, x.gradValues + first * d)
        source.queryFeatures(rows, into: s.queries)
        source.keyFeatures(rows, into: s.keys)
        scaledGradients(x, rows: rows, scratch: s)
        // P = mask(g·Vᵀ) + dden_i on and below the diagonal.
        s.maskedProduct(s.gradNumerator, v, count: count, width: d, chunk: chunk)
        for i in 0..<count {
            let shift = MixerVector(repeating: s.gradDenominator[i]), row = s.scores + i * chunk
            zipLanes(row, row, into: row, count: i + 1) { p, _ in p + shift }
        }
        smallGEMM(m: count, n: r, k: count, a: s.scores, lda: chunk, b: s.keys, ldb: r, c: s.gradQueries, ldc: r,
                  triangle: .lowerA)
        smallGEMM(transposeA: true, m: count, n: r, k: count, a: s.scores, lda: chunk, b: s.queries, ldb: r,
                  c: s.gradKeys, ldc: r, triangle: .upperA)
        if let earlier {
            smallGEMM(m: count, n: r, k: d, a: s.gradNumerator, lda: d, b: earlier.state, ldb: r, accumulate: true,
                      c: s.gradQueries, ldc: r)
            for i in 0..<count { addScaled(earlier.sum, s.gradDenominator[i], into: s.gradQueries + i * r, count: r) }
        }
        if let later {
            transpose(later.state, rows: r, columns: d, into: s.stateTransposed, ld: r)
            smallGEMM(m: count, n: r, k: d, a: v, lda: d, b: s.stateTransposed, ldb: r, accumulate: true,
                      c: s.gradKeys, ldc: r)
            for i in 0..<count { addScaled(later.sum, 1, into: s.gradKeys + i * r, count: r) }
        }
        // dV = mask(φQ·φKᵀ)ᵀ·g + φK·R.
        s.maskedProduct(s.queries, s.keys, count: count, width: r, chunk: chunk)
        smallGEMM(transposeA: true, m: count, n: d, k: count, a: s.scores, lda: chunk, b: s.gradNumerator, ldb: d,
                  c: dv, ldc: d, triangle: .upperA)
        if let later {
            smallGEMM(m: count, n: d, k: r, a: s.keys, lda: r, b: later.state, ldb: d, accumulate: true, c: dv, ldc: d)
        }
        source.queryGradient(rows, features: s.queries, gradient: s.gradQueries)
        source.keyGradient(rows, features: s.keys, gradient: s.gradKeys)
    }

    private func nonCausalBackward(_ x: NormalizedBackwardInputs) {
        let engine = engine
        let (n, d, r, block, segments) = (length, headDimension, source.features, engine.chunk, engine.stateSegments)
        // Per (head, segment) the partial [S | z | R | w]: `[r, D]`, `[r]`, `[r, D]`, `[r]`; slot 0 of each head
        // ends as the total. Then per head Sᵀ and Rᵀ `[D, r]`.
        let half = r * (d + 1), slot = 2 * half
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: heads * segments * slot + heads * 2 * d * r)
        defer { partials.deallocate() }
        let transposedStates = partials + heads * segments * slot
        withScratch(engine) { scratch in
            parallelForWorkers(heads * segments, threads: engine.threads) { item, worker in
                let (g, segment) = item.quotientAndRemainder(dividingBy: segments)
                let tokens = segment * n / segments ..< (segment + 1) * n / segments
                let (s, state) = (scratch(worker), partials + item * slot)
                state.update(repeating: 0, count: slot)
                for start in stride(from: tokens.lowerBound, to: tokens.upperBound, by: block) {
                    let first = g * n + start, rows = first ..< first + min(block, tokens.upperBound - start)
                    source.keyFeatures(rows, into: s.keys)
                    source.queryFeatures(rows, into: s.queries)
                    scaledGradients(x, rows: rows, scratch: s)
                    smallGEMM(transposeA: true, m: r, n: d, k: rows.count, a: s.keys, lda: r, b: x.v + first * d, ldb: d,
                              accumulate: true, c: state, ldc: d)
                    weightedColumnSums(s.keys, rows: rows.count, width: r, weights: nil, into: state + r * d,
                                       accumulate: true)
                    smallGEMM(transposeA: true, m: r, n: d, k: rows.count, a: s.queries, lda: r, b: s.gradNumerator,
                              ldb: d, accumulate: true, c: state + half, ldc: d)
                    weightedColumnSums(s.queries, rows: rows.count, width: r, weights: s.gradDenominator,
                                       into: state + half + r * d, accumulate: true)
                }
            }
        }
        engine.addSegments(partials, segments: segments, size: slot)
        for g in 0..<heads {
            let total = partials + g * segments * slot
            transpose(total, rows: r, columns: d, into: transposedStates + 2 * g * d * r, ld: r)
            transpose(total + half, rows: r, columns: d, into: transposedStates + (2 * g + 1) * d * r, ld: r)
        }
        let blocks = (n + block - 1) / block
        withScratch(engine) { scratch in
            parallelForWorkers(heads * blocks, threads: engine.threads) { item, worker in
                let (g, b) = item.quotientAndRemainder(dividingBy: blocks)
                let first = g * n + b * block, rows = first ..< first + min(block, n - b * block), s = scratch(worker)
                let (state, sum) = (partials + g * segments * slot, partials + g * segments * slot + r * d)
                let (reverse, reverseSum) = (state + half, sum + half)
                let (stateT, reverseT) = (transposedStates + 2 * g * d * r, transposedStates + (2 * g + 1) * d * r)
                source.queryFeatures(rows, into: s.queries)
                source.keyFeatures(rows, into: s.keys)
                scaledGradients(x, rows: rows, scratch: s)
                smallGEMM(m: rows.count, n: r, k: d, a: s.gradNumerator, lda: d, b: stateT, ldb: r, c: s.gradQueries, ldc: r)
                smallGEMM(m: rows.count, n: r, k: d, a: x.v + first * d, lda: d, b: reverseT, ldb: r, c: s.gradKeys, ldc: r)
                smallGEMM(m: rows.count, n: d, k: r, a: s.keys, lda: r, b: reverse, ldb: d, c: x.gradValues + first * d,
                          ldc: d)
                for i in 0..<rows.count {
                    addScaled(sum, s.gradDenominator[i], into: s.gradQueries + i * r, count: r)
                    addScaled(reverseSum, 1, into: s.gradKeys + i * r, count: r)
                }
                source.queryGradient(rows, features: s.queries, gradient: s.gradQueries)
                source.keyGradient(rows, features: s.keys, gradient: s.gradKeys)
            }
        }
    }

    /// g = dO/den `[rows, D]` and dden = −(dO·o)/den `[rows]` into the scratch (zeros where den ≤ 0).
    private func scaledGradients(_ x: NormalizedBackwardInputs, rows: Range<Int>, scratch s: FeatureBackwardScratch) {
        let d = headDimension
        for (i, row) in rows.enumerated() {
            let inverse = x.denominator[row] > 0 ? 1 / x.denominator[row] : 0
            let (dO, o) = (x.gradOutput + row * d, x.output + row * d)
            s.gradDenominator[i] = -dotProduct(dO, o, count: d) * inverse
            let factor = MixerVector(repeating: inverse)
            zipLanes(dO, dO, into: s.gradNumerator + i * d, count: d) { g, _ in g * factor }
        }
    }

    /// Runs `body` with a function giving each worker its own `FeatureBackwardScratch`.
    private func withScratch(_ engine: ChunkedLinearAttention, _ body: ((Int) -> FeatureBackwardScratch) -> Void) {
        let (r, d, chunk) = (source.features, headDimension, engine.chunk)
        let workers = max(1, engine.threads)
        let perWorker = FeatureBackwardScratch.floats(chunk: chunk, features: r, headDimension: d)
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: workers * perWorker)
        defer { memory.deallocate() }
        body { worker in FeatureBackwardScratch(memory + worker * perWorker, chunk: chunk, features: r, headDimension: d) }
    }
}
