import Kernels

/// Based's normalised attention, κ(q, k) = 1 + x + x²/2 with x = s·q·k (`TaylorFeatureMap`), computed
/// without storing the r = 1 + D + D² features of the sequence:
///
///     o_i = Σ_{j visible from i} κ(q_i, k_j)·v_j / (Σ_{j visible from i} κ(q_i, k_j) + ε)
///
/// Shapes: q, k, v, o `[G, N, D]` (G = B·H heads); denominators `[G, N]` (ε included).
///
/// Pass 1 (inter-chunk): φ's columns are cut into P slices (`TaylorFeatureSlice`, P = ⌈threads / G⌉ per
/// head, so one head keeps every thread busy). Each (head, slice) item owns its slice of the state
/// S = Σ φ(k_j)·v_jᵀ `[r_p, D]` and of z = Σ φ(k_j) `[r_p]` and walks the chunks of C tokens in order:
/// chunk c reads φ_p(Q_c)·S_p (GEMM, k = r_p) and φ_p(Q_c)·z_p, then adds φ_p(K_c)ᵀ·V_c (GEMM, k = C)
/// and the column sums of φ_p(K_c) — the states of the chunks before c, without a scan or stored
/// per-chunk states. Non-causal: all chunks are added first, then read.
/// Pass 2, per (head, chunk): the intra-chunk part straight from the scores (causal only),
/// mask(κ(Q_c·K_cᵀ))·V_c and its row sums (two GEMMs, k = D and k = C), plus the slices' partial sums,
/// divided by the denominator.
/// Cost per token and head: `flops`; memory P·G·N·(D + 1) floats of partial sums, and per item
/// (C + D + 1)·r_p + D·C floats.
struct BasedAttention {
    let heads: Int, length: Int, headDimension: Int
    let scale: Float
    let causal: Bool
    let epsilon: Float
    var chunk = 128
    var threads = Parallelism.defaultThreads

    var chunkCount: Int { (length + chunk - 1) / chunk }
    func rows(_ c: Int) -> Range<Int> { c * chunk ..< min(length, (c + 1) * chunk) }

    /// Feature slices per head.
    var parts: Int { min(headDimension, max(1, (threads + heads - 1) / heads)) }

    /// Forward FLOPs per token and head: 4·r·D (φ(Q)·S and φ(K)ᵀ·V) + 4·r (z and φ(Q)·z) + 2·(D² + D)
    /// (the features of q and k) and, causal, 4·C·D + 4·C (whole C×C score tiles, κ, their product with V).
    static func flops(headDimension d: Int, causal: Bool, chunk: Int = 128) -> Double {
        let r = 1 + d + d * d
        return Double(4 * r * d + 4 * r + 2 * (d * d + d) + (causal ? 4 * chunk * d + 4 * chunk : 0))
    }

    /// Writes o `[G, N, D]` and the denominators `[G, N]`.
    func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                 output o: UnsafeMutablePointer<Float>, denominator den: UnsafeMutablePointer<Float>) {
        let (n, d) = (length, headDimension)
        let slices = TaylorFeatureSlice.partition(headDimension: d, parts: parts)
        let rowCount = heads * n
        // Partial numerators `[P, G, N, D]`, then partial denominators `[P, G, N]`.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: slices.count * rowCount * (d + 1))
        defer { partials.deallocate() }
        let partialDenominators = partials + slices.count * rowCount * d
        parallelFor(heads * slices.count, threads: threads) { item in
            let (g, p) = item.quotientAndRemainder(dividingBy: slices.count)
            let head = g * n
            walkChunks(slices[p], q: q + head * d, k: k + head * d, v: v + head * d,
                       numerators: partials + (p * rowCount + head) * d, denominators: partialDenominators + p * rowCount + head)
        }
        let scoreTiles = UnsafeMutablePointer<Float>.allocate(capacity: max(1, min(threads, heads * chunkCount)) * chunk * chunk)
        defer { scoreTiles.deallocate() }
        parallelForWorkers(heads * chunkCount, threads: threads) { item, worker in
            let (g, c) = item.quotientAndRemainder(dividingBy: chunkCount)
            let r = rows(c), first = g * n + r.lowerBound
            let out = o + first * d
            if causal {
                intraChunk(q: q + first * d, k: k + first * d, v: v + first * d, count: r.count,
                           scores: scoreTiles + worker * chunk * chunk, output: out, denominator: den + first)
            } else {
                out.update(repeating: 0, count: r.count * d)
                (den + first).update(repeating: 0, count: r.count)
            }
            for p in slices.indices {
                zipLanes(out, partials + (p * rowCount + first) * d, into: out, count: r.count * d) { $0 + $1 }
                zipLanes(den + first, partialDenominators + p * rowCount + first, into: den + first, count: r.count) { $0 + $1 }
            }
            for i in 0..<r.count {
                den[first + i] += epsilon
                let inverse = MixerVector(repeating: den[first + i] > 0 ? 1 / den[first + i] : 0)
                zipLanes(out + i * d, out + i * d, into: out + i * d, count: d) { x, _ in x * inverse }
            }
        }
    }

    /// One (head, slice) item of pass 1: writes φ_p(q_i)·S_p and φ_p(q_i)·z_p for every token i of the
    /// head (`numerators` `[N, D]`, `denominators` `[N]`), S_p and z_p summing the keys visible to i
    /// outside i's chunk (causal) or all keys.
    private func walkChunks(
        _ slice: TaylorFeatureSlice, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        numerators: UnsafeMutablePointer<Float>, denominators: UnsafeMutablePointer<Float>
    ) {
        let (d, w) = (headDimension, slice.width)
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: (d + 1 + chunk) * w + d * chunk)
        defer { memory.deallocate() }
        let (state, sums, features) = (memory, memory + d * w, memory + (d + 1) * w)
        let keyColumns = features + chunk * w
        state.update(repeating: 0, count: (d + 1) * w)
        func absorb(_ r: Range<Int>) {
            // φ_p(K_c)ᵀ `[r_p, L]` is the GEMM's A as stored (read in place, not packed).
            slice.applyTransposed(k + r.lowerBound * d, rows: r.count, scale: scale, columns: keyColumns, into: features)
            gemm(m: w, n: d, k: r.count, a: features, lda: r.count, b: v + r.lowerBound * d, ldb: d,
                 beta: 1, c: state, ldc: d, threads: 1)
            for f in 0..<w { sums[f] += pairwiseSum(features + f * r.count, count: r.count) }
        }
        func read(_ r: Range<Int>) {
            slice.apply(q + r.lowerBound * d, rows: r.count, scale: scale, into: features)
            gemm(m: r.count, n: d, k: w, a: features, lda: w, b: state, ldb: d, c: numerators + r.lowerBound * d, ldc: d,
                 threads: 1)
            for i in 0..<r.count { denominators[r.lowerBound + i] = dotProduct(features + i * w, sums, count: w) }
        }
        if causal {
            numerators.update(repeating: 0, count: rows(0).count * d)
            denominators.update(repeating: 0, count: rows(0).count)
            for c in 0..<chunkCount {
                if c > 0 { read(rows(c)) }
                if c + 1 < chunkCount { absorb(rows(c)) }
            }
        } else {
            for c in 0..<chunkCount { absorb(rows(c)) }
            for c in 0..<chunkCount { read(rows(c)) }
        }
    }

    /// mask(κ(Q·Kᵀ))·V into `output` and its row sums into `denominator`, for one chunk of `count` tokens
    /// (q, k, v `[count, D]`; `scores` a C×C tile).
    private func intraChunk(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, count: Int,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, denominator: UnsafeMutablePointer<Float>
    ) {
        let d = headDimension
        gemm(transposeB: true, m: count, n: count, k: d, alpha: scale, a: q, lda: d, b: k, ldb: d,
             c: scores, ldc: chunk, threads: 1)
        let (one, half) = (MixerVector(repeating: 1), MixerVector(repeating: 0.5))
        for i in 0..<count {
            let row = scores + i * chunk
            zipLanes(row, row, into: row, count: i + 1) { x, _ in multiplyAdd(multiplyAdd(half, x, one), x, one) }
            denominator[i] = pairwiseSum(row, count: i + 1)
            (row + i + 1).update(repeating: 0, count: count - i - 1)
        }
        gemm(m: count, n: d, k: count, a: scores, lda: chunk, b: v, ldb: d, c: output, ldc: d, threads: 1)
    }
}
