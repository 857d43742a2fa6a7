import Kernels

/// The backward pass of exact softmax attention of G heads of N queries against k keys and values per
/// head (Linformer's projected K̂ = s·E·K, V′ = F·V, k ≪ N, the scale s folded into K̂), on raw storage,
/// by 96-row blocks of per-thread `smallGEMM`s (`RowParts` items, so one head keeps every core busy).
///
/// Per block: P = exp(Q·K̂ᵀ − lse) from the forward pass's log-sum-exp (one product and N·k exps per
/// head: recomputed, as a saved `[N, k]` P would cost the forward pass its write and page faults), then
/// dV′ += Pᵀ·dO, dS = softmax′(dO·V′ᵀ), dQ = dS·K̂, dK̂ += dSᵀ·Q. The per-item partials of dV′ and dK̂
/// are added in item order, so a thread count gives the same bits on every run.
///
/// Cost per head 10·N·k·D FLOPs (five N·k·D products) + N·k exps + 6·N·k; scratch two `[96, k]` blocks
/// per item.
struct ProjectedAttentionBackward {
    let heads: Int, length: Int, keyCount: Int, headDimension: Int
    let parts: RowParts
    /// Rows of one block (16 micro-kernel tiles of 6 rows): its P and dS `[96, k]` stay in L2.
    static let blockRows = 96

    init(heads: Int, length: Int, keyCount: Int, headDimension: Int) {
        (self.heads, self.length, self.keyCount, self.headDimension) = (heads, length, keyCount, headDimension)
        parts = RowParts(heads: heads, rows: length)
    }

    /// dQ `[G, N, D]`, dK̂ and dV′ `[G, k, D]` from dO `[G, N, D]`, given Q `[G, N, D]`, K̂, V′ `[G, k, D]`
    /// and the forward pass's log-sum-exp `[G, N]` (ln Σ_j exp(q_i·k̂_j)).
    func gradients(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, logSumExp: Tensor<Float>, gradOutput: Tensor<Float>
    ) -> (queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) {
        let (g, n, k, d) = (heads, length, keyCount, headDimension)
        var (gradQ, gradK, gradV) = (Tensor<Float>(zeros: [g, n, d]), Tensor<Float>(zeros: [g, k, d]), Tensor<Float>(zeros: [g, k, d]))
        let (keysT, valuesT) = (transposedHeads(keys), transposedHeads(values))  // K̂ᵀ, V′ᵀ [G, D, k]
        var partials = Tensor<Float>(zeros: [2, parts.count, k, d])  // dK̂ and dV′ per item
        var scratch = Tensor<Float>(zeros: [parts.count, 2, Self.blockRows, k])  // P and dS of one block per item
        let (q, kh, kt, vt, lse, dO) = (queries.readPointer, keys.readPointer, keysT.readPointer, valuesT.readPointer,
                                        logSumExp.readPointer, gradOutput.readPointer)
        let (dq, dk, dv) = (gradQ.writePointer(), gradK.writePointer(), gradV.writePointer())
        let (partial, work) = (partials.writePointer(), scratch.writePointer())
        let (dkPartial, dvPartial) = (partial, partial + parts.count * k * d)
        parts.forEach { h, rows, item in
            let (p, ds) = (work + 2 * item * Self.blockRows * k, work + (2 * item + 1) * Self.blockRows * k)
            forEachBlock(of: rows, size: Self.blockRows) { first, count in
                let (queryRows, gradOut, accumulate) = (q + (h * n + first) * d, dO + (h * n + first) * d, first != rows.lowerBound)
                smallGEMM(m: count, n: k, k: d, a: queryRows, lda: d, b: kt + h * d * k, ldb: k, c: p, ldc: k)
                for row in 0..<count {
                    let (scores, shift) = (p + row * k, MixerVector(repeating: lse[h * n + first + row]))
                    zipLanes(scores, scores, into: scores, count: k) { s, _ in vectorExp(s - shift) }
                }
                smallGEMM(transposeA: true, m: k, n: d, k: count, a: p, lda: k, b: gradOut, ldb: d, accumulate: accumulate,
                          c: dvPartial + item * k * d, ldc: d)
                smallGEMM(m: count, n: k, k: d, a: gradOut, lda: d, b: vt + h * d * k, ldb: k, c: ds, ldc: k)
                ProbabilityRows.backward(probabilities: p, gradient: ds, rows: count, columns: k)
                smallGEMM(m: count, n: d, k: k, a: ds, lda: k, b: kh + h * k * d, ldb: d, c: dq + (h * n + first) * d, ldc: d)
                smallGEMM(transposeA: true, m: k, n: d, k: count, a: ds, lda: k, b: queryRows, ldb: d, accumulate: accumulate,
                          c: dkPartial + item * k * d, ldc: d)
            }
        }
        parallelFor(g) { h in
            for item in h * parts.perHead..<(h + 1) * parts.perHead {
                addScaled(dkPartial + item * k * d, 1, into: dk + h * k * d, count: k * d)
                addScaled(dvPartial + item * k * d, 1, into: dv + h * k * d, count: k * d)
            }
        }
        withExtendedLifetime((queries, keys, keysT, valuesT, logSumExp, gradOutput, partials, scratch)) {}
        return (gradQ, gradK, gradV)
    }

    /// Each head's `[k, D]` transposed: `[G, k, D]` → `[G, D, k]`, so the score products read it as B.
    /// Cost one read and one write of G·k·D floats.
    func transposedHeads(_ x: Tensor<Float>) -> Tensor<Float> {
        let (k, d) = (keyCount, headDimension)
        var out = Tensor<Float>(zeros: [heads, d, k])
        let (source, target) = (x.readPointer, out.writePointer())
        parallelFor(heads) { h in transpose(source + h * k * d, rows: k, columns: d, into: target + h * d * k, ld: k) }
        withExtendedLifetime(x) {}
        return out
    }
}
