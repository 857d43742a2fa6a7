import Kernels

/// The online softmax of the forward pass over one [96, NR] score tile in log2 units, lazily rescaled.
///
/// Each query (lane) keeps a running max m and sum l, and P = 2^(S − m) replaces the scores in place.
/// The lazy step keeps a stale m while the block's weights of each query sum to at most
/// `lazyRescaleLimit` = 2^16, so no score exceeds m + 16 and no max pass or rescale of Oᵀ is needed;
/// l ≤ N_kv·2^16 and |Oᵀ| ≤ 2^16·N_kv·max|V| stay far from overflow, and the output Oᵀ/l and the
/// log-sum-exp m + log2 l are the same quotient and sum up to rounding whichever m is used. A block that
/// breaks the limit (or a query with no visible key yet, m = −∞) takes the full step: its scores are
/// recomputed, m becomes the block max, and Oᵀ and l are rescaled by 2^(m_old − m_new). With random
/// data the full step runs about once per query block (the first key block).
extension ForwardBlock {
    /// The most a query's weights 2^(s − m) may sum to over one key block before m is raised.
    static let lazyRescaleLimit: Float = 0x1p16

    /// One online-softmax step over the score tile of `keys`; `rows` = rows of Oᵀ (D rounded up to 6).
    @inline(__always)
    func softmaxStep(keys: Range<Int>, runningMax: inout TileRow, runningSum: inout TileRow, rows: Int) {
        if !TileRow.anyLane(runningMax, TileRow(repeating: -.infinity), { $0 .== $1 }) {
            let blockSum = exponentiateScores(count: keys.count, reference: runningMax)
            // NaN sums (a NaN query) compare false and stay in their own lane.
            if !TileRow.anyLane(blockSum, TileRow(repeating: Self.lazyRescaleLimit), { $0 .> $1 }) {
                runningSum += blockSum
                return
            }
            computeScores(keys: keys)
        }
        fullSoftmaxStep(count: keys.count, runningMax: &runningMax, runningSum: &runningSum, rows: rows)
    }

    /// m ← max(m, block max), Oᵀ and l rescaled where m grew, then P = 2^(S − m) and l += Σ_j P.
    private func fullSoftmaxStep(count: Int, runningMax: inout TileRow, runningSum: inout TileRow, rows: Int) {
        let lanes = FlashTile.columns
        let rowBytes = lanes * MemoryLayout<Float>.size
        let scores = UnsafeRawPointer(scratch.scores)
        var newMax = runningMax
        for j in 0..<count { newMax = lanewiseMax(newMax, (scores + j * rowBytes).load(as: TileRow.self)) }
        // A query with no visible key so far keeps m = −∞; subtract 0 instead so 2^(s − m) gives 0, not NaN.
        let reference = finiteOrZero(newMax)
        if TileRow.anyLane(newMax, runningMax, { $0 .> $1 }) {
            let factor = softmaxExp2(runningMax - reference)
            runningSum *= factor
            let accumulator = UnsafeMutableRawPointer(scratch.accumulator)
            for c in 0..<rows {
                let row = accumulator + c * rowBytes
                row.storeBytes(of: row.load(as: TileRow.self) * factor, as: TileRow.self)
            }
            runningMax = newMax
        }
        runningSum += exponentiateScores(count: count, reference: reference)
    }

    /// P = 2^(S − reference) in place over the first `count` rows of the score tile; returns Σ_j P per
    /// query. ≈ 2·(12 + 4) vector instructions per row on AVX2.
    @inline(__always)
    private func exponentiateScores(count: Int, reference: TileRow) -> TileRow {
        let rowBytes = FlashTile.columns * MemoryLayout<Float>.size
        let scores = UnsafeMutableRawPointer(scratch.scores)
        var sum = TileRow()
        for j in 0..<count {
            let row = scores + j * rowBytes
            // `map` spelled out: a call to the `TileRow` overload was once left out of line in such a loop.
            let p = (row.load(as: TileRow.self) - reference).map { softmaxExp2($0) }
            row.storeBytes(of: p, as: TileRow.self)
            sum += p
        }
        return sum
    }
}
