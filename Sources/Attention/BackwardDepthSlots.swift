import Kernels

/// The depth-slot share of the backward pass for one packed query chunk of one head: per query i with
/// log-sum-exp L_i (over sequence keys and slots) and δ_i = rowsum(dO_i ∘ O_i) from the chunk,
/// `p_s = exp(scale·q_i·K_depth[s] − L_i)`, `dV_depth[s] = p_s·dO_i`, `dS_s = p_s·(dO_i·V_depth[s] − δ_i)`,
/// `dK_depth[s] = scale·dS_s·q_i` and `dQ_i += scale·Σ_s dS_s·K_depth[s]`. The slots of a query belong to
/// it alone, so the 48-query blocks run in parallel without sharing rows. Cost 8·S·D FLOPs per query,
/// reading 2·S·D floats and writing 2·S·D, each slot row touched in one pass.
struct BackwardDepthSlots {
    let shape: AttentionShape
    let scale: Float
    let head: Int
    let slots: DepthPointers<UnsafePointer<Float>>
    let gradients: DepthPointers<UnsafeMutablePointer<Float>>

    /// `queries`, `gradOutput` and `gradQueries` point at this head's `[N_q, D]` rows; `gradQueries` already
    /// holds the sequence keys' share for the chunk. `scores` holds two padded slot rows per worker.
    func run(
        chunk: PackedQueryChunk, start: Int, count: Int, queries: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradQueries: UnsafeMutablePointer<Float>, scores: [UnsafeMutablePointer<Float>], threads: Int
    ) {
        let blocks = (count + BackwardTile.queries - 1) / BackwardTile.queries
        let io = UncheckedSendable((queries, gradOutput, gradQueries, scores))
        parallelForWorkers(blocks, threads: threads) { block, worker in
            let (queries, gradOutput, gradQueries, scores) = io.value
            for q in block * BackwardTile.queries..<min(count, (block + 1) * BackwardTile.queries) {
                query(start + q, logSumExp: chunk.logSumExp[q], delta: chunk.delta[q], queries: queries,
                      gradOutput: gradOutput, gradQueries: gradQueries, scores: scores[worker])
            }
        }
    }

    /// Two passes over the query's slots: the first reads each slot's key and value row once for its
    /// score and dO·V_depth[s]; the second writes each slot's dV and dK rows and adds dS_s·K_depth[s]
    /// (still in L1) to dQ. `scores` holds two padded slot rows: P, then dO·V_depth and dS.
    @inline(__always)
    private func query(
        _ i: Int, logSumExp: Float, delta: Float, queries: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        gradQueries: UnsafeMutablePointer<Float>, scores p: UnsafeMutablePointer<Float>
    ) {
        let d = shape.headDimension, count = slots.slots
        let offset = shape.depthOffset(head: head, query: i, slots: count)
        let q = queries + i * d, dO = gradOutput + i * d
        let keys = slots.keys + offset, values = slots.values + offset
        let gradScores = p + DepthSlotMath.paddedCount(count)
        for s in 0..<count {
            p[s] = scale * dot(q, keys + s * d, count: d)
            gradScores[s] = dot(dO, values + s * d, count: d)
        }
        for s in count..<DepthSlotMath.paddedCount(count) { p[s] = -.infinity }
        _ = DepthSlotMath.exponentiate(p, slots: count, reference: logSumExp)
        // gradScores becomes scale·dS in place.
        for s in 0..<count { gradScores[s] = scale * p[s] * (gradScores[s] - delta) }
        DepthSlotMath.writeSlotGradients(
            probabilities: p, gradScores: gradScores, query: q, gradOutput: dO, keys: keys, slots: count,
            headDimension: d, gradKeys: gradients.keys + offset, gradValues: gradients.values + offset,
            gradQuery: gradQueries + i * d)
    }
}
