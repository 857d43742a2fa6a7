import Kernels

/// Unnormalised linear attention with an optional per-(token, channel) decay, over G independent heads:
///
///     causal:      o_i = Σ_{j ≤ i} Σ_a q_ia·k_ja·exp(B_ia − B_ja)·v_j,   B_i = Σ_{t ≤ i} log α_t
///     non-causal:  o_i = Σ_j (q_i·k_j)·v_j                               (no decay)
///
/// — the state recurrence S_t = diag(α_t)·S_{t−1} + k_tᵀ·v_t, o_t = q_t·S_t, without running it token by
/// token. Shapes: q, k, logDecay `[G, N, p]`; v, o `[G, N, e]` (G = B·H heads, p key width, e value width).
///
/// Causal form: chunks of C tokens and three parallel passes over (head, chunk) items, so even one head
/// keeps every thread busy, the decay factors computed per chunk in L1 scratch (no decayed operand tensors):
///  1. each chunk's own state ΔS_c = K̂_cᵀ·V_c (GEMM; not for the last chunk);
///  2. an exclusive prefix scan S_c = diag(e^{b_last}) S_{c−1} + ΔS_{c−1} (elementwise, parallel over rows);
///  3. o_c = mask(Q̃_c·K̃_cᵀ)·V_c + Q̃_c·S_c (GEMMs; each output row written once).
/// With b_i the cumulative log-decay from the chunk's start (inclusive) and s the decay's query scale
/// (`LogDecay`; log α itself may be computed per chunk from the keys): Q̃ = s·Q ⊙ e^{b}, K̃ = K ⊙ e^{−b},
/// K̂ = K ⊙ e^{b_last − b}; without decay all three are Q and K themselves. The split e^{b_i}·e^{−b_j} is
/// exact in float32 while the decay summed over one chunk stays above ≈ −80. Decays α ∈ (0, 1] (log α ≤ 0), so
/// every factor is an exp of a non-positive sum (`nonPositiveExp`).
/// The masked C × C products skip the tiles above the diagonal (`smallGEMM`'s triangles), so the
/// intra-chunk work counted is the causal triangle's: (C + 1)·(p + e) FLOPs per token, not 2·C·(p + e).
/// Cost per token and head: (C + 1)·(p + e) (intra-chunk) + 4·p·e (state) FLOPs; memory p·e floats per chunk.
/// Non-causal form (ChunkedLinearAttentionNonCausal.swift): S = Kᵀ·V, O = Q·S per head, 4·p·e FLOPs per token.
struct ChunkedLinearAttention {
    let heads: Int
    let length: Int
    let keyWidth: Int
    let valueWidth: Int
    let causal: Bool
    let chunk: Int
    let threads: Int

    init(heads: Int, length: Int, keyWidth: Int, valueWidth: Int, causal: Bool, chunk: Int = 64,
         threads: Int = Parallelism.defaultThreads) {
        self.heads = heads
        self.length = length
        self.keyWidth = keyWidth
        self.valueWidth = valueWidth
        self.causal = causal
        self.chunk = chunk
        self.threads = threads
    }

    var chunkCount: Int { (length + chunk - 1) / chunk }
    func rows(_ c: Int) -> Range<Int> { c * chunk ..< min(length, (c + 1) * chunk) }

    /// Forward FLOPs per token and head (see the type's notes; the triangle's share of the 6 × NR tiles
    /// actually run is ≈ 15% larger at C = 64).
    static func flops(keyWidth p: Int, valueWidth e: Int, causal: Bool, chunk: Int = 64) -> Double {
        Double(4 * p * e + (causal ? (chunk + 1) * (p + e) : 0))
    }

    /// Writes o `[G, N, e]`. With decay, pass 1 also writes each chunk's factors e^{b} into one `[G, N, p]`
    /// buffer that pass 3 reads back, so log α (the GLA gate) and the exp are computed once per element.
    func forward(_ x: LinearAttentionInputs, output o: UnsafeMutablePointer<Float>) {
        guard causal else { return nonCausalForward(x, output: o) }
        let (n, e) = (length, valueWidth)
        let chunks = chunkCount
        let states = ChunkStates(heads: heads, chunks: chunks, keyWidth: keyWidth, valueWidth: e, decay: x.logDecay != nil)
        let factors = x.logDecay.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: heads * n * keyWidth) }
        defer {
            states.free()
            factors?.deallocate()
        }
        func chunkFactors(_ g: Int, _ c: Int) -> UnsafeMutablePointer<Float>? {
            factors.map { $0 + (g * n + rows(c).lowerBound) * keyWidth }
        }
        withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let r = rows(c)
                let expB = chunkFactors(g, c)
                if let expB {
                    cumulativeLogDecay(x, head: g, chunk: c, into: expB)
                    nonPositiveExp(expB, into: expB, count: r.count * keyWidth)
                }
                guard c + 1 < chunks else { return }
                let keysTail = chunkKeysTail(x, head: g, chunk: c, factors: expB, scratch: scratch(worker),
                                             decay: states.decay(g, c))
                smallGEMM(transposeA: true, m: keyWidth, n: e, k: r.count, a: keysTail, lda: keyWidth,
                          b: x.v + (g * n + r.lowerBound) * e, ldb: e, c: states.state(g, c), ldc: e)
            }
        }
        states.scan(reverse: false, threads: threads)
        withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let r = rows(c), s = scratch(worker), first = g * n + r.lowerBound
                let (queries, keys) = chunkQueriesAndKeys(x, head: g, chunk: c, factors: chunkFactors(g, c), scratch: s)
                maskedScores(queries, keys, count: r.count, scratch: s)
                smallGEMM(m: r.count, n: e, k: r.count, a: s.scores, lda: chunk, b: x.v + first * e, ldb: e,
                          c: o + first * e, ldc: e, triangle: .lowerA)
                if c > 0 {
                    smallGEMM(m: r.count, n: e, k: keyWidth, a: queries, lda: keyWidth, b: states.state(g, c), ldb: e,
                              accumulate: true, c: o + first * e, ldc: e)
                }
            }
        }
    }

    /// The chunk's k̂ = k ⊙ e^{b_last}/e^{b} `[L, p]` (k itself without decay) from its factors e^{b} `[L, p]`,
    /// and e^{b_last} `[p]` into `decay` (forward pass 1; no exp: e^{b} ≥ e^{−80} is a normal float).
    func chunkKeysTail(_ x: LinearAttentionInputs, head g: Int, chunk c: Int, factors expB: UnsafePointer<Float>?,
                       scratch s: ChunkScratch, decay: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        let r = rows(c), p = keyWidth, count = r.count * p
        let k = x.k + (g * length + r.lowerBound) * p
        guard let decay, let expB else { return k }
        let last = expB + (r.count - 1) * p
        decay.update(from: last, count: p)
        for i in 0..<r.count {
            zipLanes(last, expB + i * p, into: s.expTail + i * p, count: p) { $0 / $1 }
        }
        zipLanes(k, s.expTail, into: s.keysTail, count: count) { $0 * $1 }
        return UnsafePointer(s.keysTail)
    }

    /// The chunk's q̃ = scale·q ⊙ e^{b} and k̃ = k / e^{b} `[L, p]` from its factors e^{b} `[L, p]` (q and k
    /// themselves without decay; forward pass 3, no exp).
    func chunkQueriesAndKeys(_ x: LinearAttentionInputs, head g: Int, chunk c: Int, factors expB: UnsafePointer<Float>?,
                             scratch s: ChunkScratch) -> (queries: UnsafePointer<Float>, keys: UnsafePointer<Float>) {
        let r = rows(c), p = keyWidth, count = r.count * p
        let base = (g * length + r.lowerBound) * p
        guard let expB, let decay = x.logDecay else { return (x.q + base, x.k + base) }
        let scale = MixerVector(repeating: decay.queryScale)
        zipLanes(x.q + base, expB, into: s.queries, count: count) { $0 * $1 * scale }
        zipLanes(x.k + base, expB, into: s.keys, count: count) { $0 / $1 }
        return (UnsafePointer(s.queries), UnsafePointer(s.keys))
    }

    /// b `[L, p]` of chunk c of head g into `b`: the log-decay summed from the chunk's start, inclusive
    /// (nothing without decay).
    func cumulativeLogDecay(_ x: LinearAttentionInputs, head g: Int, chunk c: Int, into b: UnsafeMutablePointer<Float>) {
        guard let decay = x.logDecay else { return }
        let r = rows(c)
        decay.cumulative(head: g, rows: r.count, keyWidth: keyWidth, keys: x.k + (g * length + r.lowerBound) * keyWidth,
                         into: b)
    }

    /// `scores[i, j] = x_i·y_j` for j ≤ i, 0 above the diagonal (`[L, L]`, row stride C) from x, y `[L, w]`
    /// (q̃ and k̃, or dO and V): y is transposed into the scratch, then only the lower tiles are multiplied.
    func maskedScores(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, width: Int? = nil,
                      scratch s: ChunkScratch) {
        let w = width ?? keyWidth
        transpose(y, rows: count, columns: w, into: s.transposed, ld: chunk)
        smallGEMM(m: count, n: count, k: w, a: x, lda: w, b: s.transposed, ldb: chunk, c: s.scores, ldc: chunk,
                  triangle: .lowerC)
    }

    /// The chunk's q̃ = scale·q ⊙ e^{b}, k̃, k̂ `[L, p]`: pointers into q and k when there is no decay, else
    /// computed into `scratch` together with e^{b}, e^{−b}, e^{b_last − b}.
    func operands(_ x: LinearAttentionInputs, head g: Int, chunk c: Int, scratch s: ChunkScratch) -> ChunkOperands {
        let r = rows(c), p = keyWidth, count = r.count * p
        let base = (g * length + r.lowerBound) * p
        let (q, k) = (x.q + base, x.k + base)
        guard let decay = x.logDecay else { return ChunkOperands(queries: q, keys: k, keysTail: k, decay: nil) }
        let b = s.cumulative
        cumulativeLogDecay(x, head: g, chunk: c, into: b)
        // One exp per element: e^{−b} = 1/e^{b} and e^{b_last − b} = e^{b_last}·e^{−b} (b ≥ −80 keeps both finite).
        nonPositiveExp(b, into: s.expB, count: count)
        let one = MixerVector(repeating: 1)
        zipLanes(s.expB, s.expB, into: s.expNegB, count: count) { x, _ in one / x }
        let last = UnsafePointer(s.expB + (r.count - 1) * p)
        for i in 0..<r.count {
            zipLanes(last, s.expNegB + i * p, into: s.expTail + i * p, count: p) { $0 * $1 }
        }
        let scale = MixerVector(repeating: decay.queryScale)
        zipLanes(q, s.expB, into: s.queries, count: count) { $0 * $1 * scale }
        zipLanes(k, s.expNegB, into: s.keys, count: count) { $0 * $1 }
        zipLanes(k, s.expTail, into: s.keysTail, count: count) { $0 * $1 }
        return ChunkOperands(queries: s.queries, keys: s.keys, keysTail: s.keysTail,
                             decay: ChunkDecay(expB: s.expB, expNegB: s.expNegB, expTail: s.expTail,
                                               last: s.expB + (r.count - 1) * p))
    }

    /// Runs `body` with a function giving each worker its own `ChunkScratch`.
    func withChunkScratch(_ body: ((Int) -> ChunkScratch) -> Void) {
        let workers = max(1, min(threads, heads * chunkCount))
        let perWorker = ChunkScratch.floats(chunk: chunk, keyWidth: keyWidth, valueWidth: valueWidth)
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: workers * perWorker)
        defer { memory.deallocate() }
        body { worker in ChunkScratch(memory + worker * perWorker, chunk: chunk, keyWidth: keyWidth, valueWidth: valueWidth) }
    }
}

/// Base pointers of the engine's inputs (see `ChunkedLinearAttention` for shapes).
struct LinearAttentionInputs {
    let q: UnsafePointer<Float>
    let k: UnsafePointer<Float>
    let v: UnsafePointer<Float>
    let logDecay: LogDecay?
}

/// One chunk's q̃, k̃, k̂ and, with decay, its factors `[L, p]` and e^{b_last} `[p]`.
struct ChunkOperands {
    let queries: UnsafePointer<Float>
    let keys: UnsafePointer<Float>
    let keysTail: UnsafePointer<Float>
    let decay: ChunkDecay?
}

struct ChunkDecay {
    let expB: UnsafePointer<Float>
    let expNegB: UnsafePointer<Float>
    let expTail: UnsafePointer<Float>
    let last: UnsafePointer<Float>
}

/// One worker's buffers: a C×C score tile, eight C×p blocks, a C·max(p, e) transpose and two e×p
/// transposed states.
struct ChunkScratch {
    let scores, cumulative, expB, expNegB, expTail, queries, keys, keysTail, extra: UnsafeMutablePointer<Float>
    let transposed, stateTransposed, reverseTransposed: UnsafeMutablePointer<Float>

    static func floats(chunk: Int, keyWidth p: Int, valueWidth e: Int) -> Int {
        chunk * chunk + 8 * chunk * p + chunk * max(p, e) + 2 * p * e
    }

    init(_ base: UnsafeMutablePointer<Float>, chunk: Int, keyWidth: Int, valueWidth: Int) {
        let block = chunk * keyWidth
        scores = base
        let blocks = base + chunk * chunk
        (cumulative, expB, expNegB, expTail) = (blocks, blocks + block, blocks + 2 * block, blocks + 3 * block)
        (queries, keys, keysTail, extra) = (blocks + 4 * block, blocks + 5 * block, blocks + 6 * block, blocks + 7 * block)
        transposed = blocks + 8 * block
        stateTransposed = transposed + chunk * max(keyWidth, valueWidth)
        reverseTransposed = stateTransposed + keyWidth * valueWidth
    }
}

/// t[j, i] = x[i, j] for x `[rows, columns]` (row stride `columns`), t with row stride `ld`: a column of
/// `mixerLanes` rows is gathered into one vector and stored whole (one store per lanes elements). The
/// indices use wrapping arithmetic (they are bounded by rows·columns): with checked arithmetic each
/// gathered element cost an add and an overflow branch, ≈ 45 instructions per 8 elements instead of ≈ 12.
func transpose(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into t: UnsafeMutablePointer<Float>, ld: Int) {
    var i = 0
    while i + mixerLanes <= rows {
        let block = x + i * columns
        var target = t + i
        for j in 0..<columns {
            var column = MixerVector()
            for lane in 0..<mixerLanes { column[lane] = block[lane &* columns &+ j] }
            target.store(column, at: 0)
            target += ld
        }
        i += mixerLanes
    }
    for i in i..<rows {
        for j in 0..<columns { t[j * ld + i] = x[i * columns + j] }
    }
}
