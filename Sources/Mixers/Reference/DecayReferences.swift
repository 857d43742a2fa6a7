import Foundation

/// GLA, run as its recurrence: S_t = diag(α_t)·S_{t−1} + k_tᵀ·v_t, o_t = (s·q_t)·S_t, with this layer's
/// gate log α_t = logσ(k_t)/16.
func glaReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], scale: Double) -> [[Double]] {
    let (dk, dv) = (k[0].count, v[0].count)
    var state = [[Double]](repeating: [Double](repeating: 0, count: dv), count: dk)
    return q.indices.map { t in
        for a in 0..<dk {
            let alpha = Foundation.pow(1 / (1 + Foundation.exp(-k[t][a])), 1 / Double(DecayedLinearMixer.gateNormalizer))
            for b in 0..<dv { state[a][b] = alpha * state[a][b] + k[t][a] * v[t][b] }
        }
        return (0..<dv).map { b in (0..<dk).reduce(0) { $0 + scale * q[t][$1] * state[$1][b] } }
    }
}

/// RetNet retention, fla's closed form: o_i = Σ_{j ≤ i} γ^{i−j}·(s·q_i·k_j)·v_j.
func retnetReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], scale: Double, gamma: Double) -> [[Double]] {
    q.indices.map { i in
        var o = [Double](repeating: 0, count: v[0].count)
        for j in 0...i {
            let weight = Foundation.pow(gamma, Double(i - j)) * scale * dot(q[i], k[j])
            for a in o.indices { o[a] += weight * v[j][a] }
        }
        return o
    }
}
