import Foundation
import Kernels

/// Exact attention forward pass, tiled, never materialising the N_q × N_kv score matrix.
///
/// For each head and block of NR queries (the parallel work items; NR = `FlashTile.columns`, 64 on
/// AVX-512, 16 on AVX2, 8 on 128-bit SIMD) it walks the visible 96-key blocks:
/// Sᵀ = K_blk·(scale·log2 e·Q_blk)ᵀ on the 6 × NR micro-kernel (queries across SIMD lanes, scores in
/// log2 units), an online softmax per query with P = 2^(S − m) (running max m and sum l, lazily rescaled:
/// see ForwardSoftmax.swift), and Oᵀ += V_blkᵀ·Pᵀ with P read straight from the score tile. Extra memory: the packed K/V (≈ 2·N_kv·D per
/// key/value head) and ≤ 40 KiB per thread. FLOPs 4·N_q·N_kv·D per head (causal about half).
///
/// With MoDA depth slots (`depth`, `[B·H_q, N_q, S, D]`), each query's S slot scores are the last step
/// of the same online softmax (`mergeDepthSlots`), after its visible sequence keys: +4·S·D FLOPs and
/// 2·S·D floats read per query, no N_q × (N_kv + S) scores. The slot rows stream from memory; their
/// prefetch is spread over the block's sequence steps (`DepthSlotPrefetch`) so it overlaps the compute.
///
/// Pointers are row-major: `queries`/`output` `[B·H_q, N_q, D]`, `keys`/`values` `[B·H_kv, N_kv, D]`,
/// `logSumExp` `[B·H_q, N_q]` (natural log of Σ_j exp(s_ij) over sequence keys and depth slots; −∞ for a
/// query that sees no key).
func flashAttentionForward(
    shape: AttentionShape, mask: AttentionMask, scale: Float,
    queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
    depth: DepthPointers<UnsafePointer<Float>>? = nil,
    output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>, threads: Int
) {
    let d = shape.headDimension, nq = shape.queryLength, nkv = shape.keyLength
    let kvHeads = shape.batch * shape.keyValueHeads
    let keyBlocks = (nkv + FlashTile.keys - 1) / FlashTile.keys
    let packed = PackedKeyValues(heads: kvHeads, keyLength: nkv, headDimension: d)
    defer { packed.free() }
    let io = UncheckedSendable((queries, keys, values, output, logSumExp))
    parallelFor(kvHeads * keyBlocks, threads: threads) { item in
        let head = item / keyBlocks
        packed.pack(head: head, block: item % keyBlocks, keys: io.value.1 + head * nkv * d,
                    values: io.value.2 + head * nkv * d, keyLength: nkv, headDimension: d)
    }

    let queryBlocks = (nq + FlashTile.columns - 1) / FlashTile.columns
    let heads = shape.batch * shape.queryHeads
    let scratch = (0..<max(1, threads)).map { _ in ForwardScratch(headDimension: d, depthSlots: depth?.slots ?? 0) }
    defer { scratch.forEach { $0.free() } }
    let additive = mask.additive
    additive.withUnsafeBufferPointerIfPresent { maskTable in
        let context = UncheckedSendable((scratch, maskTable))
        parallelForWorkers(heads * queryBlocks, threads: threads) { item, worker in
            let head = item / queryBlocks, block = item % queryBlocks
            let kvHead = shape.keyValueHead(of: head)
            let (queries, _, _, output, logSumExp) = io.value
            let step = ForwardBlock(
                shape: shape, mask: mask, maskTable: context.value.1, scale: scale, head: head, depth: depth,
                queryStart: block * FlashTile.columns, scratch: context.value.0[worker],
                keyRows: packed.keyRows + kvHead * packed.keyStride,
                valueColumns: packed.valueColumns + kvHead * packed.valueStride)
            step.run(queries: queries + head * nq * d, output: output + head * nq * d,
                     logSumExp: logSumExp + head * nq)
        }
    }
}

/// Per-thread buffers of the forward pass: packed queries [D, NR], score tile [96, NR], output
/// accumulator Oᵀ [D₆, NR], and for depth slots one query's slot scores [S, padded] and output row [D].
struct ForwardScratch {
    let queries: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>
    let accumulator: UnsafeMutablePointer<Float>
    let depthScores: UnsafeMutablePointer<Float>
    let depthOutput: UnsafeMutablePointer<Float>

    init(headDimension d: Int, depthSlots: Int) {
        queries = AlignedBuffer(count: d * FlashTile.columns).pointer
        scores = AlignedBuffer(count: FlashTile.keys * FlashTile.columns).pointer
        accumulator = AlignedBuffer(count: roundUp(d, FlashTile.rows) * FlashTile.columns).pointer
        depthScores = AlignedBuffer(count: max(1, DepthSlotMath.paddedCount(depthSlots))).pointer
        depthOutput = AlignedBuffer(count: d).pointer
    }

    func free() {
        for buffer in [queries, scores, accumulator, depthScores, depthOutput] { buffer.deallocate() }
    }
}

/// One NR-query block of one head: the body of the forward loop.
struct ForwardBlock {
    let shape: AttentionShape
    let mask: AttentionMask
    let maskTable: UnsafeBufferPointer<Float>?
    let scale: Float
    /// The flattened query head (selects its depth slots).
    let head: Int
    let depth: DepthPointers<UnsafePointer<Float>>?
    let queryStart: Int
    let scratch: ForwardScratch
    let keyRows: UnsafeMutablePointer<Float>
    let valueColumns: UnsafeMutablePointer<Float>

    func run(queries: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>) {
        let d = shape.headDimension, lanes = FlashTile.columns, bc = FlashTile.keys, mr = FlashTile.rows
        let d6 = roundUp(d, mr)
        let queryCount = min(lanes, shape.queryLength - queryStart)
        let queryRange = queryStart..<queryStart + queryCount

        // Qᵀ block, scaled by scale·log2 e so scores come out in log2 units for `softmaxExp2`: [D, NR],
        // zero beyond the last query.
        let queryScale = scale * log2E
        for c in 0..<d {
            let row = scratch.queries + c * lanes
            for q in 0..<lanes { row[q] = q < queryCount ? queryScale * queries[(queryStart + q) * d + c] : 0 }
        }
        scratch.accumulator.initialize(repeating: 0, count: d6 * lanes)
        // One lane per query of the block: running max m (log2 units) and running sum l of the online softmax.
        var runningMax = TileRow(repeating: -.infinity)
        var runningSum = TileRow()

        let visible = mask.visibleKeys(for: queryRange, keyCount: shape.keyLength)
        if !visible.isEmpty {
            let blocks = visible.lowerBound / bc...(visible.upperBound - 1) / bc
            let slotPrefetch = depth.map { DepthSlotPrefetch($0, shape: shape, head: head, queries: queryRange, steps: blocks.count) }
            for block in blocks {
                slotPrefetch?.issue(step: block - blocks.lowerBound)
                // The diagonal block of a causal or windowed mask stops at the block's last visible key.
                let keys = block * bc..<min((block + 1) * bc, visible.upperBound)
                computeScores(keys: keys)
                softmaxStep(keys: keys, runningMax: &runningMax, runningSum: &runningSum, rows: d6)
                // Oᵀ[c, q] += Σ_j Vᵀ[c, j]·P[q, j]
                let valueBlock = valueColumns + block * d6 * bc
                for group in 0..<d6 / mr {
                    microKernel(depth: keys.count, a: valueBlock + group * bc * mr, b: scratch.scores,
                                    c: scratch.accumulator + group * mr * lanes, ldc: lanes, alpha: 1, beta: 1)
                }
            }
        }
        writeOutput(queryCount: queryCount, runningMax: runningMax * TileRow(repeating: ln2), runningSum: runningSum,
                    queries: queries, output: output + queryStart * d, logSumExp: logSumExp + queryStart)
    }

    /// Sᵀ[j, q] = Σ_c K[j, c]·Q′[q, c] (Q′ = scale·log2 e·Q) into the score tile for `keys` (rows, at most
    /// 96) and the block's queries (lanes), masked. 2·96·NR·D FLOPs on the GEMM micro-kernel.
    func computeScores(keys: Range<Int>) {
        let d = shape.headDimension, mr = FlashTile.rows, lanes = FlashTile.columns
        let queries = queryStart..<min(queryStart + lanes, shape.queryLength)
        for panel in 0..<(keys.count + mr - 1) / mr {
            microKernel(depth: d, a: keyRows + (keys.lowerBound + panel * mr) * d, b: scratch.queries,
                            c: scratch.scores + panel * mr * lanes, ldc: lanes, alpha: 1, beta: 0)
        }
        if !mask.seesAll(queries: queries, keys: keys) { applyMask(keys: keys) }
    }

    /// Adds the explicit mask (times log2 e, as the scores) or sets invisible scores to −∞ in the score tile
    /// (rows are keys, lanes queries).
    private func applyMask(keys: Range<Int>) {
        let lanes = FlashTile.columns
        let queryCount = min(lanes, shape.queryLength - queryStart)
        let laneIndices = InstructionSet.vectorLaneIndices
        for (j, key) in keys.enumerated() {
            let row = scratch.scores + j * lanes
            if let table = maskTable {
                for q in 0..<queryCount { row[q] = multiplyAdd(log2E, table[(queryStart + q) * shape.keyLength + key], row[q]) }
                continue
            }
            let keyLanes = IntVector(repeating: Int32(key))
            for v in 0..<InstructionSet.tileRowVectors {
                let queryLanes = laneIndices &+ IntVector(repeating: Int32(queryStart + v * InstructionSet.vectorLanes))
                hideScores(row, vector: v, where: .!mask.sees(queries: queryLanes, keys: keyLanes))
            }
        }
    }

    /// O[q, c] = Oᵀ[c, q] / l_q and logsumexp_q = m_q + ln l_q; zeros and −∞ for queries that saw no key.
    /// With depth slots each query first takes its slot scores into m, l and its output row.
    private func writeOutput(
        queryCount: Int, runningMax: TileRow, runningSum: TileRow, queries: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>
    ) {
        let d = shape.headDimension, lanes = FlashTile.columns
        withUnsafeBytes(of: runningMax) { maxima in
            withUnsafeBytes(of: runningSum) { sums in
                for q in 0..<queryCount {
                    var l = sums.load(fromByteOffset: q * 4, as: Float.self)
                    var m = maxima.load(fromByteOffset: q * 4, as: Float.self)
                    var sequenceFactor: Float = 1
                    if let depth {
                        (m, l, sequenceFactor) = mergeDepthSlots(depth, query: queryStart + q, queries: queries,
                                                                 runningMax: m, runningSum: l)
                    }
                    let inverse: Float = l > 0 ? 1 / l : 0
                    let weight = sequenceFactor * inverse
                    for c in 0..<d { output[q * d + c] = scratch.accumulator[c * lanes + q] * weight }
                    if depth != nil {
                        for c in 0..<d { output[q * d + c] = multiplyAdd(scratch.depthOutput[c], inverse, output[q * d + c]) }
                    }
                    logSumExp[q] = l > 0 ? m + Foundation.log(l) : (l.isNaN ? .nan : -.infinity)
                }
            }
        }
    }

    /// The last online-softmax step of one query: its S depth-slot scores. Returns the new running max
    /// and sum and the factor exp(m_old − m_new) for the sequence accumulator; leaves Σ_s p_s·V_depth[s]
    /// (unnormalised, at the new max) in `scratch.depthOutput`.
    @inline(__always)
    private func mergeDepthSlots(
        _ depth: DepthPointers<UnsafePointer<Float>>, query: Int, queries: UnsafePointer<Float>,
        runningMax: Float, runningSum: Float
    ) -> (max: Float, sum: Float, sequenceFactor: Float) {
        let d = shape.headDimension, slots = depth.slots
        let offset = shape.depthOffset(head: head, query: query, slots: slots)
        DepthSlotMath.scores(query: queries + query * d, keys: depth.keys + offset, slots: slots, headDimension: d,
                             scale: scale, into: scratch.depthScores)
        let slotMax = maximum(scratch.depthScores, count: slots)
        let newMax = runningMax > slotMax ? runningMax : slotMax  // NaN in the slots stays NaN
        let factor: Float = runningMax == -.infinity ? 0 : Foundation.exp(runningMax - newMax)
        let slotSum = DepthSlotMath.exponentiate(scratch.depthScores, slots: slots, reference: newMax)
        scratch.depthOutput.initialize(repeating: 0, count: d)
        DepthSlotMath.addWeightedRows(weights: scratch.depthScores, rows: depth.values + offset, slots: slots,
                                      headDimension: d, into: scratch.depthOutput)
        return (newMax, multiplyAdd(runningSum, factor, slotSum), factor)
    }
}

@inline(__always) func finiteOrZero(_ x: TileRow) -> TileRow {
    x.map { $0.replacing(with: 0, where: $0 .== -.infinity) }
}

extension Optional where Wrapped == Tensor<Float> {
    /// Calls `body` with the tensor's elements, or with nil when there is no tensor.
    func withUnsafeBufferPointerIfPresent<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .some(let tensor): return tensor.withUnsafeBufferPointer { body($0) }
        case .none: return body(nil)
        }
    }
}
