import Kernels

/// The decay of a causal `ChunkedLinearAttention` pass: where log α `[G, N, p]` comes from, and the query
/// scale folded into the chunk's query factor (q̃ = scale·q ⊙ e^{b}). With a gate or per-head source the
/// engine computes log α chunk by chunk in L1, so neither a log-decay nor a scaled-queries tensor exists.
struct LogDecay {
    enum Source {
        /// log α given as a tensor `[G, N, p]`.
        case tensor(UnsafePointer<Float>)
        /// log α = logσ(k)/normalizer = −softplus(−k)/normalizer from the keys (GLA's gate), ≈ 40 FLOPs
        /// per element.
        case keyGate(normalizer: Float)
        /// log α = λ_g for every token and channel of head g, λ `[G]` (RetNet's log γ).
        case perHead(UnsafePointer<Float>)
    }

    let source: Source
    let queryScale: Float

    init(_ source: Source, queryScale: Float = 1) {
        self.source = source
        self.queryScale = queryScale
    }

    /// b `[L, p]` into `b`: log α summed from the chunk's first token, inclusive, for the L = `rows` tokens
    /// of head g starting at token `first` of N = `length`; `keys` points at those tokens' keys `[L, p]`.
    /// Cost: L·p additions, plus the gate's ≈ 40 FLOPs per element for `keyGate`.
    func cumulative(head g: Int, first: Int, rows: Int, keyWidth p: Int, length: Int,
                    keys: UnsafePointer<Float>, into b: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        switch source {
        case .tensor(let logDecay):
            b.update(from: logDecay + (g * length + first) * p, count: rows * p)
            for i in 1..<rows {
                zipLanes(b + (i - 1) * p, b + i * p, into: b + i * p, count: p) { $0 + $1 }
            }
        case .keyGate(let normalizer):
            let factor = MixerVector(repeating: -1 / normalizer)
            zipLanes(keys, keys, into: b, count: p) { k, _ in vectorSoftplus(-k) * factor }
            for i in 1..<rows {
                zipLanes(b + (i - 1) * p, keys + i * p, into: b + i * p, count: p) { sum, k in
                    multiplyAdd(vectorSoftplus(-k), factor, sum)
                }
            }
        case .perHead(let lambda):
            for i in 0..<rows { (b + i * p).update(repeating: Float(i + 1) * lambda[g], count: p) }
        }
    }
}
