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

    func setDecay(_ g: Int, _ c: Int, from operands: ChunkOperands) {
        guard let decays, let decay = operands.decay else { return }
        (decays + (g * chunks + c) * keyWidth).update(from: decay.last, count: keyWidth)
    }

    /// Replaces each ΔS_c by Σ over the earlier chunks (or, `reverse`, the later ones) of their ΔS, each
    /// decayed by the chunks in between: S_c = d_{c−1} ⊙ S_{c−1} + ΔS_{c−1} (reverse: R_c = d_{c+1} ⊙ R_{c+1}
    /// + ΔS_{c+1}), d the chunk's e^{b_last} per state row. Parallel over (head, state row).
    func scan(reverse: Bool, threads: Int) {
        let (p, e) = (keyWidth, valueWidth)
        parallelFor(heads * p, threads: threads) { item in
            let (g, a) = item.quotientAndRemainder(dividingBy: p)
            let order = reverse ? Array((0..<chunks).reversed()) : Array(0..<chunks)
            var j = 0
            while j < e {
                let width = min(mixerLanes, e - j)
                var running = MixerVector()
                for c in order {
                    let row = state(g, c) + a * e + j
                    var own = MixerVector()
                    if width == mixerLanes {
                        own = row.vector(at: 0)
                        row.store(running, at: 0)
                    } else {
                        for lane in 0..<width { own[lane] = row[lane] }
                        for lane in 0..<width { row[lane] = running[lane] }
                    }
                    let d = decays.map { $0[(g * chunks + c) * p + a] } ?? 1
                    running = multiplyAdd(MixerVector(repeating: d), running, own)
                }
                j += width
            }
        }
    }
}
