import Kernels

/// The p×e state of every (head, chunk) of a causal chunked pass, and each chunk's total decay e^{b_last}.
/// `scan` turns the chunks' own states ΔS_c into exclusive prefix (or suffix) sums, applying the decay.
/// Memory: G·chunks·p·e floats (+ G·chunks·p with decay).
struct ChunkStates {
    let heads: Int, chunks: Int, keyWidth: Int, valueWidth: Int
    let states: UnsafeMutablePointer<Float>
    let decays: UnsafeMutablePointer<Float>?

    init(heads: Int, chunks: Int, keyWidth: Int, valueWidth: Int, decay: Bool) {
        (self.heads, self.chunks, self.keyWidth, self.valueWidth) = (heads, chunks, keyWidth, valueWidth)
        states = .allocate(capacity: heads * chunks * keyWidth * valueWidth)
        decays = decay ? .allocate(capacity: heads * chunks * keyWidth) : nil
    }

    func free() {
        states.deallocate()
        decays?.deallocate()
    }

    /// State `[p, e]` of chunk c of head g.
    func state(_ g: Int, _ c: Int) -> UnsafeMutablePointer<Float> {
        states + (g * chunks + c) * keyWidth * valueWidth
    }

    /// e^{b_last} `[p]` of chunk c of head g, or nil without decay.
    func decay(_ g: Int, _ c: Int) -> UnsafeMutablePointer<Float>? {
        decays.map { $0 + (g * chunks + c) * keyWidth }
    }

    func setDecay(_ g: Int, _ c: Int, from operands: ChunkOperands) {
        guard let target = decay(g, c), let factors = operands.decay else { return }
        target.update(from: factors.last, count: keyWidth)
    }

    /// Replaces each ΔS_c by Σ over the earlier chunks (or, `reverse`, the later ones) of their ΔS, each
    /// decayed by the chunks in between: S_c = d_{c−1} ⊙ S_{c−1} + ΔS_{c−1} (reverse: R_c = d_{c+1} ⊙ R_{c+1}
    /// + ΔS_{c+1}), d the chunk's e^{b_last} per state row. Parallel over (head, block of 8 state rows);
    /// each item walks the chunks with its 8·e running sums and reads 8 contiguous rows per chunk, asking
    /// for the next chunk's rows (`prefetch`) before it works on the current ones: the walk strides p·e
    /// floats per chunk through a buffer far larger than L2, which the hardware prefetcher does not follow.
    func scan(reverse: Bool, threads: Int) {
        let (p, e) = (keyWidth, valueWidth)
        let block = 8, blocks = (p + block - 1) / block
        parallelFor(heads * blocks, threads: threads) { item in
            let (g, b) = item.quotientAndRemainder(dividingBy: blocks)
            let stateRows = b * block ..< min(p, (b + 1) * block)
            let running = UnsafeMutablePointer<Float>.allocate(capacity: stateRows.count * e)
            defer { running.deallocate() }
            running.update(repeating: 0, count: stateRows.count * e)
            let blockLines = (stateRows.count * e * MemoryLayout<Float>.size + cacheLineBytes - 1) / cacheLineBytes
            for step in 0..<chunks {
                let c = reverse ? chunks - 1 - step : step
                if step + 1 < chunks {
                    prefetch(state(g, reverse ? c - 1 : c + 1) + stateRows.lowerBound * e, lines: blockLines)
                }
                for a in stateRows {
                    let d = decays.map { $0[(g * chunks + c) * p + a] } ?? 1
                    swapAndAccumulate(state(g, c) + a * e, running + (a - stateRows.lowerBound) * e, decay: d, count: e)
                }
            }
        }
    }

    /// For each i: (row[i], sum[i]) ← (sum[i], d·sum[i] + row[i]).
    private func swapAndAccumulate(_ row: UnsafeMutablePointer<Float>, _ sum: UnsafeMutablePointer<Float>, decay d: Float, count: Int) {
        let dv = MixerVector(repeating: d)
        var j = 0
        while j + mixerLanes <= count {
            let (own, carried) = (row.vector(at: j), sum.vector(at: j))
            row.store(carried, at: j)
            sum.store(multiplyAdd(dv, carried, own), at: j)
            j += mixerLanes
        }
        while j < count {
            let own = row[j]
            row[j] = sum[j]
            sum[j] = multiplyAdd(d, sum[j], own)
            j += 1
        }
    }
}
