import Kernels

/// One work item of the backward pass: a block of 64 keys against one chunk of queries of one head.
/// Adds this block's share into dK and dV (rows owned by this item) and into the thread's dQ buffer.
struct BackwardKeyBlock {
    let shape: AttentionShape
    let mask: AttentionMask
    let maskTable: UnsafeBufferPointer<Float>?
    let scale: Float
    let chunk: PackedQueryChunk
    let chunkStart: Int
    let chunkCount: Int
    let keyStart: Int
    let scratch: BackwardScratch

    /// `keys`, `values`, `gradKeys`, `gradValues` point at this key/value head's `[N_kv, D]` rows.
    func run(
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        gradKeys: UnsafeMutablePointer<Float>, gradValues: UnsafeMutablePointer<Float>
    ) {
        let d = shape.headDimension, lanes = BackwardTile.keys, mr = FlashTile.rows, br = BackwardTile.queries
        let nr = FlashTile.columns
        let d6 = roundUp(d, mr), dNR = roundUp(d, nr)
        let keyCount = min(lanes, shape.keyLength - keyStart)
        let tiles = (keyCount + nr - 1) / nr  // NR-key column tiles holding this block's keys
        packKeyBlock(keys: keys, values: values, keyCount: keyCount)
        scratch.gradKeyColumns.initialize(repeating: 0, count: d6 * lanes)
        scratch.gradValueColumns.initialize(repeating: 0, count: d6 * lanes)

        /// C[6, keys] (+)= A-panel · B[depth, keys] over the block's column tiles; B and C rows are `lanes` wide.
        @inline(__always) func panelTimesKeys(
            depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
            alpha: Float, beta: Float
        ) {
            for t in 0..<tiles {
                microKernel(depth: depth, a: a, b: b + t * nr, ldb: lanes, c: c + t * nr, ldc: lanes,
                            alpha: alpha, beta: beta)
            }
        }

        let visible = mask.visibleQueries(for: keyStart..<keyStart + keyCount, queryCount: shape.queryLength)
        let lower = max(visible.lowerBound, chunkStart), upper = min(visible.upperBound, chunkStart + chunkCount)
        if lower < upper {
            for block in (lower - chunkStart) / br...(upper - 1 - chunkStart) / br {
                let first = block * br
                let queries = chunkStart + first..<chunkStart + first + br
                // P = exp(scale·Q·Kᵀ (+ mask) − L), [48 queries, 64 keys].
                for panel in 0..<br / mr {
                    panelTimesKeys(depth: d, a: chunk.rows + (first + panel * mr) * d, b: scratch.keyColumns,
                                   c: scratch.probabilities + panel * mr * lanes, alpha: scale, beta: 0)
                }
                let needsMask = keyCount < lanes || !mask.seesAll(queries: queries, keys: keyStart..<keyStart + lanes)
                exponentiate(first: first, keyCount: keyCount, tiles: tiles, masked: needsMask)
                // dVᵀ += dOᵀ·P
                let columnBlock = block * br * d6
                for group in 0..<d6 / mr {
                    panelTimesKeys(depth: br, a: chunk.gradColumns + columnBlock + group * br * mr,
                                   b: scratch.probabilities, c: scratch.gradValueColumns + group * mr * lanes,
                                   alpha: 1, beta: 1)
                }
                // dS = P ∘ (dP − δ) with dP = dO·Vᵀ, taken from the product's registers.
                for panel in 0..<br / mr {
                    let rows = first + panel * mr
                    for t in 0..<tiles {
                        microKernel(depth: d, a: chunk.gradRows + rows * d, b: scratch.valueColumns + t * nr, ldb: lanes) { r, dp in
                            let offset = ((panel * mr + r) * lanes + t * nr) * MemoryLayout<Float>.size
                            let p = UnsafeRawPointer(scratch.probabilities).load(fromByteOffset: offset, as: TileRow.self)
                            UnsafeMutableRawPointer(scratch.gradScores).storeBytes(
                                of: p * (dp - TileRow(repeating: chunk.delta[rows + r])), toByteOffset: offset, as: TileRow.self)
                        }
                    }
                }
                // dKᵀ += Qᵀ·dS (scaled when written out).
                for group in 0..<d6 / mr {
                    panelTimesKeys(depth: br, a: chunk.columns + columnBlock + group * br * mr,
                                   b: scratch.gradScores, c: scratch.gradKeyColumns + group * mr * lanes,
                                   alpha: 1, beta: 1)
                }
                // dQ += dS·K (scaled when summed), dS rows read in place: depth = the block's keys.
                for panel in 0..<br / mr {
                    for group in 0..<dNR / nr {
                        microKernel(depth: keyCount, a: scratch.gradScores + panel * mr * lanes, aRowStride: lanes,
                                    aDepthStride: 1, b: scratch.keyRows + group * lanes * nr,
                                    c: scratch.gradQueries + (first + panel * mr) * dNR + group * nr,
                                    ldc: dNR, alpha: 1, beta: 1)
                    }
                }
            }
        }
        for j in 0..<keyCount {
            for c in 0..<d {
                gradKeys[(keyStart + j) * d + c] += scale * scratch.gradKeyColumns[c * lanes + j]
                gradValues[(keyStart + j) * d + c] += scratch.gradValueColumns[c * lanes + j]
            }
        }
    }

    /// Kᵀ and Vᵀ as `[D][64]` and K as NR-dimension panels `[D_NR/NR][64 keys][NR]`, zero beyond the last
    /// key and dimension.
    private func packKeyBlock(keys: UnsafePointer<Float>, values: UnsafePointer<Float>, keyCount: Int) {
        let d = shape.headDimension, lanes = BackwardTile.keys, nr = FlashTile.columns, dNR = roundUp(d, nr)
        for j in 0..<lanes {
            for c in 0..<dNR {
                let k: Float = j < keyCount && c < d ? keys[(keyStart + j) * d + c] : 0
                if c < d {
                    scratch.keyColumns[c * lanes + j] = k
                    scratch.valueColumns[c * lanes + j] = j < keyCount ? values[(keyStart + j) * d + c] : 0
                }
                scratch.keyRows[(c / nr) * lanes * nr + j * nr + c % nr] = k
            }
        }
    }

    /// Turns the score tile into probabilities, masking keys past the end or hidden by the mask.
    @inline(__always)
    private func exponentiate(first: Int, keyCount: Int, tiles: Int, masked: Bool) {
        let lanes = BackwardTile.keys
        let laneIndices = InstructionSet.vectorLaneIndices
        let end = IntVector(repeating: Int32(keyStart + keyCount))
        for r in 0..<BackwardTile.queries {
            let row = scratch.probabilities + r * lanes
            let raw = UnsafeMutableRawPointer(row)
            let query = chunkStart + first + r
            if masked {
                let queryLanes = IntVector(repeating: Int32(query))
                for v in 0..<tiles * InstructionSet.tileRowVectors {
                    let keyLanes = laneIndices &+ IntVector(repeating: Int32(keyStart + v * InstructionSet.vectorLanes))
                    hideScores(row, vector: v, where: .!mask.sees(queries: queryLanes, keys: keyLanes) .| (keyLanes .>= end))
                }
                if let table = maskTable, query < shape.queryLength {
                    for j in 0..<keyCount { row[j] += table[query * shape.keyLength + keyStart + j] }
                }
            }
            let l = TileRow(repeating: chunk.logSumExp[first + r])
            for t in 0..<tiles {
                let tile = raw + t * MemoryLayout<TileRow>.size
                tile.storeBytes(of: softmaxExp(tile.load(as: TileRow.self) - l), as: TileRow.self)
            }
        }
    }
}
