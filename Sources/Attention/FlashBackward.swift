import Kernels

/// Exact attention backward pass (FlashAttention-2), recomputing the probabilities from the saved
/// log-sum-exp instead of storing them.
///
/// Per key/value head, queries are processed in chunks of up to 4096; within a chunk the work items
/// are 64-key blocks (parallel), each walking the visible 48-query blocks:
/// `S = scale·Q_i·K_jᵀ`, `P = exp(S − L_i)`, `dVᵀ_j += dO_iᵀ·P`, `dP = dO_i·V_jᵀ`,
/// `dS = P ∘ (dP − δ_i)` with `δ_i = rowsum(dO_i ∘ O_i)`, `dKᵀ_j += scale·Q_iᵀ·dS`,
/// `dQ_i += scale·dS·K_j`. dK, dV of a key block belong to one work item; dQ rows are shared, so
/// each thread adds into its own dQ buffer and the buffers are summed after the chunk (thread-safe
/// without atomics). FLOPs: 2.5× the forward pass. Extra memory: ≈ 4 packed copies of a query
/// chunk and one dQ chunk per thread, independent of N_kv.
///
/// MoDA depth slots need nothing else from the sequence part: L and O of the forward already cover them,
/// so P and δ are the same; after each chunk's dQ is summed, `BackwardDepthSlots` adds the slots' share
/// and writes the slot gradients `depth.gradients` (`[B·H_q, N_q, S, D]`).
///
/// Pointers are row-major with the shapes of `flashAttentionForward`; `logSumExp` is its output.
/// Gradients are written, not accumulated.
func flashAttentionBackward(
    shape: AttentionShape, mask: AttentionMask, scale: Float,
    queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
    output: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradQueries: UnsafeMutablePointer<Float>, gradKeys: UnsafeMutablePointer<Float>,
    gradValues: UnsafeMutablePointer<Float>,
    depth: (slots: DepthPointers<UnsafePointer<Float>>, gradients: DepthPointers<UnsafeMutablePointer<Float>>)? = nil,
    threads: Int
) {
    let d = shape.headDimension, nq = shape.queryLength, nkv = shape.keyLength
    let workers = max(1, threads)
    let chunkLength = min(roundUp(nq, BackwardTile.queries), BackwardTile.chunk)
    let chunk = PackedQueryChunk(length: chunkLength, headDimension: d)
    let scratch = (0..<workers).map {
        _ in BackwardScratch(headDimension: d, chunkLength: chunkLength, depthSlots: depth?.slots.slots ?? 0)
    }
    defer { chunk.free(); scratch.forEach { $0.free() } }
    gradKeys.initialize(repeating: 0, count: shape.batch * shape.keyValueHeads * nkv * d)
    gradValues.initialize(repeating: 0, count: shape.batch * shape.keyValueHeads * nkv * d)

    let keyBlocks = (nkv + BackwardTile.keys - 1) / BackwardTile.keys
    mask.additive.withUnsafeBufferPointerIfPresent { maskTable in
        let context = UncheckedSendable((scratch, maskTable, keys, values, gradKeys, gradValues, gradQueries))
        for head in 0..<shape.batch * shape.queryHeads {
            let kvHead = shape.keyValueHead(of: head)
            let headOffset = head * nq * d, kvOffset = kvHead * nkv * d
            for chunkStart in stride(from: 0, to: nq, by: chunkLength) {
                let chunkCount = min(chunkLength, nq - chunkStart)
                chunk.pack(queries: queries + headOffset, gradOutput: gradOutput + headOffset,
                           output: output + headOffset, logSumExp: logSumExp + head * nq,
                           start: chunkStart, count: chunkCount, threads: threads)
                let used = parallelForFixedWorkers(keyBlocks, threads: threads) { block, worker in
                    let (scratch, maskTable, keys, values, gradKeys, gradValues, _) = context.value
                    let step = BackwardKeyBlock(
                        shape: shape, mask: mask, maskTable: maskTable, scale: scale, chunk: chunk,
                        chunkStart: chunkStart, chunkCount: chunkCount, keyStart: block * BackwardTile.keys,
                        scratch: scratch[worker])
                    step.run(keys: keys + kvOffset, values: values + kvOffset,
                             gradKeys: gradKeys + kvOffset, gradValues: gradValues + kvOffset)
                }
                sumQueryGradients(scratch: Array(context.value.0.prefix(used)), into: context.value.6 + headOffset,
                                  start: chunkStart, count: chunkCount, headDimension: d, scale: scale, threads: threads)
                if let depth {
                    BackwardDepthSlots(shape: shape, scale: scale, head: head, slots: depth.slots, gradients: depth.gradients)
                        .run(chunk: chunk, start: chunkStart, count: chunkCount, queries: queries + headOffset,
                             gradOutput: gradOutput + headOffset, gradQueries: context.value.6 + headOffset,
                             scores: context.value.0.map(\.depthScores), threads: threads)
                }
            }
        }
    }
}

/// Tile sizes of the backward pass.
enum BackwardTile {
    /// Keys per work item: one to eight NR-lane column tiles of the micro-kernel, so the dQ += dS·K
    /// products have depth 64 on every instruction set.
    static let keys = 64
    /// Queries per inner step: two [48, 64] tiles (P and dS, 12 KiB each) stay in L1.
    static let queries = 48
    /// Queries packed at once (≈ 4096, a whole number of blocks); bounds the packed copies and per-thread dQ buffers for long sequences.
    static let chunk = 86 * 48
}

/// dQ[start..<start+count] = scale · Σ_threads (thread's dQ buffer), written over the old rows, the
/// threads' rows summed in buffer order (the same bits on every run) and zeroed for the next chunk.
/// One pass over the buffers, `FloatVector`s along D (a scalar tail when D is not a multiple of them).
private func sumQueryGradients(
    scratch: [BackwardScratch], into gradQueries: UnsafeMutablePointer<Float>,
    start: Int, count: Int, headDimension d: Int, scale: Float, threads: Int
) {
    let rowStride = roundUp(d, FlashTile.columns), lanes = InstructionSet.vectorLanes
    let blocks = (count + BackwardTile.queries - 1) / BackwardTile.queries
    let buffers = UncheckedSendable((scratch.map(\.gradQueries), gradQueries))
    parallelFor(blocks, threads: threads) { block in
        let (sources, target) = buffers.value
        let scaleVector = FloatVector(repeating: scale)
        for q in block * BackwardTile.queries..<min(count, (block + 1) * BackwardTile.queries) {
            let row = UnsafeMutableRawPointer(target + (start + q) * d)
            let vectorEnd = d - d % lanes
            for c in stride(from: 0, to: vectorEnd, by: lanes) {
                var sum = FloatVector()
                for source in sources { sum += UnsafeRawPointer(source + q * rowStride + c).load(as: FloatVector.self) }
                row.storeBytes(of: scaleVector * sum, toByteOffset: c * MemoryLayout<Float>.size, as: FloatVector.self)
            }
            for c in vectorEnd..<d {
                var sum: Float = 0
                for source in sources { sum += source[q * rowStride + c] }
                target[(start + q) * d + c] = scale * sum
            }
            for source in sources { (source + q * rowStride).update(repeating: 0, count: rowStride) }
        }
    }
}

/// One chunk of queries of one head in the layouts the backward micro-kernel calls read, shared
/// read-only by all work items.
///
/// `rows`: Q as 6-query panels `[q/6][D][6]` (for S = Q·Kᵀ); `gradRows`: dO likewise (dP = dO·Vᵀ);
/// `columns`, `gradColumns`: Qᵀ and dOᵀ as 6-dimension panels per 48-query block
/// `[q/48][D₆/6][48][6]` (for dKᵀ += Qᵀ·dS and dVᵀ += dOᵀ·P); `logSumExp` (+∞ for rows that see no
/// key or pad the chunk, so P = 0 there) and `delta` = rowsum(dO ∘ O).
struct PackedQueryChunk {
    let rows, gradRows, columns, gradColumns: UnsafeMutablePointer<Float>
    let logSumExp, delta: UnsafeMutablePointer<Float>
    let length: Int
    let headDimension: Int

    init(length: Int, headDimension d: Int) {
        self.length = length
        headDimension = d
        let size = length * roundUp(d, FlashTile.rows)
        rows = AlignedBuffer(count: size).pointer
        gradRows = AlignedBuffer(count: size).pointer
        columns = AlignedBuffer(count: size).pointer
        gradColumns = AlignedBuffer(count: size).pointer
        logSumExp = AlignedBuffer(count: length).pointer
        delta = AlignedBuffer(count: length).pointer
    }

    func free() {
        for buffer in [rows, gradRows, columns, gradColumns, logSumExp, delta] { buffer.deallocate() }
    }

    /// Packs queries `start..<start+count` of one head (`[N_q, D]` row-major inputs), zero-padding to
    /// whole 48-query blocks; parallel over blocks.
    func pack(
        queries: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, output: UnsafePointer<Float>,
        logSumExp lse: UnsafePointer<Float>, start: Int, count: Int, threads: Int
    ) {
        let blocks = (count + BackwardTile.queries - 1) / BackwardTile.queries
        let sources = UncheckedSendable((queries, gradOutput, output, lse))
        parallelFor(blocks, threads: threads) { block in
            let (queries, gradOutput, output, lse) = sources.value
            packBlock(block, queries: queries, gradOutput: gradOutput, output: output, logSumExp: lse,
                      start: start, count: count)
        }
    }

    private func packBlock(
        _ block: Int, queries: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
        output: UnsafePointer<Float>, logSumExp lse: UnsafePointer<Float>, start: Int, count: Int
    ) {
        let d = headDimension, mr = FlashTile.rows, br = BackwardTile.queries
        let d6 = roundUp(d, mr)
        for q in block * br..<(block + 1) * br {
            let valid = q < count
            let source = (start + q) * d
            // Row panels [q/6][D][6].
            let rowTarget = (q / mr) * mr * d + q % mr
            // Column panels [q/48][D₆/6][48][6].
            let columnBase = block * br * d6 + (q - block * br) * mr
            var dot: Float = 0
            for c in 0..<d6 {
                let x = valid && c < d ? queries[source + c] : 0
                let g = valid && c < d ? gradOutput[source + c] : 0
                if c < d {
                    rows[rowTarget + c * mr] = x
                    gradRows[rowTarget + c * mr] = g
                    if valid { dot += g * output[source + c] }
                }
                let columnTarget = columnBase + (c / mr) * br * mr + c % mr
                columns[columnTarget] = x
                gradColumns[columnTarget] = g
            }
            let l = valid ? lse[start + q] : .infinity
            logSumExp[q] = l == -.infinity ? .infinity : l
            delta[q] = dot
        }
    }
}

/// Per-thread buffers of the backward pass.
struct BackwardScratch {
    /// Kᵀ and Vᵀ of the key block `[D][64]`.
    let keyColumns, valueColumns: UnsafeMutablePointer<Float>
    /// K of the key block as NR-dimension panels `[D_NR/NR][64 keys][NR]`.
    let keyRows: UnsafeMutablePointer<Float>
    /// P and dS tiles `[48, 64]`.
    let probabilities, gradScores: UnsafeMutablePointer<Float>
    /// dKᵀ and dVᵀ of the key block `[D₆, 64]`.
    let gradKeyColumns, gradValueColumns: UnsafeMutablePointer<Float>
    /// This thread's share of dQ for the chunk, `[chunk, D_NR]` (D rounded up to NR), zero between chunks.
    let gradQueries: UnsafeMutablePointer<Float>
    /// One query's depth-slot scores and score gradients, two rows of S rounded up to whole vectors.
    let depthScores: UnsafeMutablePointer<Float>

    init(headDimension d: Int, chunkLength: Int, depthSlots: Int) {
        let lanes = BackwardTile.keys, d6 = roundUp(d, FlashTile.rows), dNR = roundUp(d, FlashTile.columns)
        keyColumns = AlignedBuffer(count: d * lanes).pointer
        valueColumns = AlignedBuffer(count: d * lanes).pointer
        keyRows = AlignedBuffer(count: dNR * lanes).pointer
        probabilities = AlignedBuffer(count: BackwardTile.queries * lanes).pointer
        gradScores = AlignedBuffer(count: BackwardTile.queries * lanes).pointer
        gradKeyColumns = AlignedBuffer(count: d6 * lanes).pointer
        gradValueColumns = AlignedBuffer(count: d6 * lanes).pointer
        gradQueries = AlignedBuffer(count: chunkLength * dNR).pointer
        gradQueries.initialize(repeating: 0, count: chunkLength * dNR)
        depthScores = AlignedBuffer(count: max(1, 2 * DepthSlotMath.paddedCount(depthSlots))).pointer
    }

    func free() {
        for buffer in [keyColumns, valueColumns, keyRows, probabilities, gradScores,
                       gradKeyColumns, gradValueColumns, gradQueries, depthScores] {
            buffer.deallocate()
        }
    }
}
