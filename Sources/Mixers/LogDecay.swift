import Kernels

/// The decay of a causal `ChunkedLinearAttention` pass: where log α `[G, N, p]` comes from, and the query
/// scale folded into the chunk's query factor (q̃ = scale·q ⊙ e^{b}). The engine computes log α chunk by
/// chunk in L1 from either source, so neither a log-decay nor a scaled-queries tensor exists.
struct LogDecay {
    enum Source {
        /// log α = logσ(k)/normalizer from the keys (GLA's gate, `vectorLogSigmoid`).
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
    /// of head g; `keys` points at those tokens' keys `[L, p]`.
    /// Cost: L·p additions, plus the gate's ≈ 30 vector instructions per lane group for `keyGate`.
    func cumulative(head g: Int, rows: Int, keyWidth p: Int, keys: UnsafePointer<Float>,
                    into b: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        switch source {
        case .keyGate(let normalizer):
            let factor = MixerVector(repeating: 1 / normalizer)
            zipLanes(keys, keys, into: b, count: p) { k, _ in vectorLogSigmoid(k) * factor }
            for i in 1..<rows {
                zipLanes(b + (i - 1) * p, keys + i * p, into: b + i * p, count: p) { sum, k in
                    multiplyAdd(vectorLogSigmoid(k), factor, sum)
                }
            }
        case .perHead(let lambda):
            for i in 0..<rows { (b + i * p).update(repeating: Float(i + 1) * lambda[g], count: p) }
        }
    }
}

/// logσ(x) = min(x, 0) − log1p(e^{−|x|}) lane-wise: e^{−|x|} by `nonPositiveExp`, then log1p(t) = 2·atanh(s),
/// s = t/(t + 2) ≤ 1/3, by the odd series 2s·(1 + s²/3 + … + s¹²/13) (truncation ≤ 2e−8 relative). About 30
/// vector instructions, against ≈ 40 for `vectorSoftplus(−x)`, whose general exp handles overflow.
@inline(__always)
func vectorLogSigmoid(_ x: MixerVector) -> MixerVector {
    let positive = x .> 0
    let t = nonPositiveExp(x.replacing(with: -x, where: positive))
    let s = t / (t + 2)
    let s2 = s * s
    var series = multiplyAdd(MixerVector(repeating: 1 / 13), s2, MixerVector(repeating: 1 / 11))
    series = multiplyAdd(series, s2, MixerVector(repeating: 1 / 9))
    series = multiplyAdd(series, s2, MixerVector(repeating: 1 / 7))
    series = multiplyAdd(series, s2, MixerVector(repeating: 1 / 5))
    series = multiplyAdd(series, s2, MixerVector(repeating: 1 / 3))
    series = multiplyAdd(series, s2, MixerVector(repeating: 1))
    return x.replacing(with: 0, where: positive) - (s + s) * series
}
