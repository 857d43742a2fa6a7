import Kernels

/// Gradients of the engine's output with respect to its inputs (shapes as the inputs; `gradLogDecay`
/// only when the inputs have a decay and the caller wants it).
struct LinearAttentionGradients {
    let q: UnsafeMutablePointer<Float>
    let k: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    let logDecay: UnsafeMutablePointer<Float>?
}

extension ChunkedLinearAttention {
    /// Backward of `forward` given dO `[G, N, e]`; dq is the gradient of the decay's scaled queries s·q (the
    /// caller multiplies by s). With S_i the state after token i and
    /// R_j = Σ_{i ≥ j} diag(e^{B_i − B_j}) q_iᵀ·dO_i the reverse state:
    ///     dq_i = S_i·dO_i,  dk_j = R_j·v_j,  dv_j = R_jᵀ·k_j,
    ///     d(log α_t) = Σ_{s ≥ t} (q_s ⊙ dq_s − k_s ⊙ dk_s).
    /// Chunked like the forward pass: per-chunk ΔS and ΔR, a prefix and a suffix scan, then per chunk
    /// five GEMMs (inter-chunk through S and R, intra-chunk through dO·Vᵀ and Q̃·K̃ᵀ). Cost ≈ 2.5× forward.
    func backward(_ x: LinearAttentionInputs, gradOutput dO: UnsafePointer<Float>, gradients d: LinearAttentionGradients) {
        guard causal else { return nonCausalBackward(x, gradOutput: dO, gradients: d) }
        let (n, p, e) = (length, keyWidth, valueWidth)
        let chunks = chunkCount
        let forwardStates = ChunkStates(heads: heads, chunks: chunks, keyWidth: p, valueWidth: e, decay: x.logDecay != nil)
        let reverseStates = ChunkStates(heads: heads, chunks: chunks, keyWidth: p, valueWidth: e, decay: x.logDecay != nil)
        defer {
            forwardStates.free()
            reverseStates.free()
        }
        withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let r = rows(c)
                let ops = operands(x, head: g, chunk: c, scratch: scratch(worker))
                smallGEMM(transposeA: true, m: p, n: e, k: r.count, a: ops.keysTail, lda: p,
                          b: x.v + (g * n + r.lowerBound) * e, ldb: e, c: forwardStates.state(g, c), ldc: e)
                smallGEMM(transposeA: true, m: p, n: e, k: r.count, a: ops.queries, lda: p,
                          b: dO + (g * n + r.lowerBound) * e, ldb: e, c: reverseStates.state(g, c), ldc: e)
                forwardStates.setDecay(g, c, from: ops)
                reverseStates.setDecay(g, c, from: ops)
            }
        }
        forwardStates.scan(reverse: false, threads: threads)
        reverseStates.scan(reverse: true, threads: threads)
        withChunkScratch { scratch in
            parallelForWorkers(heads * chunks, threads: threads) { item, worker in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                chunkGradients(x, gradOutput: dO, gradients: d, head: g, chunk: c, scratch: scratch(worker),
                               state: forwardStates.state(g, c), reverseState: reverseStates.state(g, c))
            }
        }
        if let gradLogDecay = d.logDecay { reverseCumulativeSum(gradLogDecay) }
    }

    /// dq, dk, dv (and q ⊙ dq − k ⊙ dk into `gradients.logDecay`) of one chunk, from the state S before it
    /// and the reverse state R after it.
    private func chunkGradients(
        _ x: LinearAttentionInputs, gradOutput dO: UnsafePointer<Float>, gradients d: LinearAttentionGradients,
        head g: Int, chunk c: Int, scratch s: ChunkScratch, state: UnsafePointer<Float>, reverseState: UnsafePointer<Float>
    ) {
        let (n, p, e) = (length, keyWidth, valueWidth)
        let r = rows(c), count = r.count
        let ops = operands(x, head: g, chunk: c, scratch: s)
        let keyRows = (g * n + r.lowerBound) * p, valueRows = (g * n + r.lowerBound) * e
        let (dq, dk, dv) = (d.q + keyRows, d.k + keyRows, d.v + valueRows)
        let (v, gradOut) = (x.v + valueRows, dO + valueRows)
        // P = mask(dO·Vᵀ): dq = (dO·Sᵀ + P·K̃) ⊙ e^{b}; dk = (V·Rᵀ) ⊙ e^{b_last − b} + (Pᵀ·Q̃) ⊙ e^{−b}.
        maskedScores(gradOut, v, count: count, width: e, scratch: s)
        transpose(state, rows: p, columns: e, into: s.stateTransposed, ld: p)
        transpose(reverseState, rows: p, columns: e, into: s.reverseTransposed, ld: p)
        smallGEMM(m: count, n: p, k: e, a: gradOut, lda: e, b: s.stateTransposed, ldb: p, c: dq, ldc: p)
        smallGEMM(m: count, n: p, k: count, a: s.scores, lda: chunk, b: ops.keys, ldb: p, accumulate: true, c: dq, ldc: p,
                  triangle: .lowerA)
        smallGEMM(m: count, n: p, k: e, a: v, lda: e, b: s.reverseTransposed, ldb: p, c: dk, ldc: p)
        if let decay = ops.decay {
            multiplyInto(decay.expB, dq, count: count * p)
            multiplyInto(decay.expTail, dk, count: count * p)
            smallGEMM(transposeA: true, m: count, n: p, k: count, a: s.scores, lda: chunk, b: ops.queries, ldb: p,
                      c: s.extra, ldc: p, triangle: .upperA)
            zipLanes(s.extra, decay.expNegB, into: s.extra, count: count * p) { $0 * $1 }
            zipLanes(s.extra, dk, into: dk, count: count * p) { $0 + $1 }
        } else {
            smallGEMM(transposeA: true, m: count, n: p, k: count, a: s.scores, lda: chunk, b: ops.queries, ldb: p,
                      accumulate: true, c: dk, ldc: p, triangle: .upperA)
        }
        // dv = K̂·R + mask(Q̃·K̃ᵀ)ᵀ·dO.
        maskedScores(ops.queries, ops.keys, count: count, scratch: s)
        smallGEMM(m: count, n: e, k: p, a: ops.keysTail, lda: p, b: reverseState, ldb: e, c: dv, ldc: e)
        smallGEMM(transposeA: true, m: count, n: e, k: count, a: s.scores, lda: chunk, b: gradOut, ldb: e,
                  accumulate: true, c: dv, ldc: e, triangle: .upperA)
        if let gradLogDecay = d.logDecay {
            // dq is the gradient of the scaled queries s·q, so the query term is s·q ⊙ dq.
            let (q, k, out) = (x.q + keyRows, x.k + keyRows, gradLogDecay + keyRows)
            let scale = MixerVector(repeating: x.logDecay?.queryScale ?? 1)
            zipLanes(q, dq, into: out, count: count * p) { $0 * $1 * scale }
            zipLanes(k, dk, into: s.extra, count: count * p) { $0 * $1 }
            zipLanes(out, s.extra, into: out, count: count * p) { $0 - $1 }
        }
    }

    /// x_t ← Σ_{s ≥ t} x_s along each head's sequence, per channel (`[G, N, p]`).
    private func reverseCumulativeSum(_ x: UnsafeMutablePointer<Float>) {
        let (n, p) = (length, keyWidth)
        parallelFor(heads, threads: threads) { g in
            let base = x + g * n * p
            for t in stride(from: n - 2, through: 0, by: -1) {
                zipLanes(base + (t + 1) * p, base + t * p, into: base + t * p, count: p) { $0 + $1 }
            }
        }
    }
}
