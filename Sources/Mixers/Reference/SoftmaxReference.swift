import Attention
import Foundation

/// softmax(scale·QKᵀ + mask)·V for one head, straight from the definition (exact and window mixers).
func softmaxReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], scale: Double, mask: AttentionMask) -> [[Double]] {
    q.indices.map { i in
        let visible = k.indices.filter { j in
            switch mask {
            case .causal: return j <= i
            case .slidingWindow(let w): return j <= i && j > i - w
            default: return true
            }
        }
        let scores = visible.map { scale * dot(q[i], k[$0]) }
        let top = scores.max() ?? 0
        let weights = scores.map { Foundation.exp($0 - top) }
        let total = weights.reduce(0, +)
        var o = [Double](repeating: 0, count: v[0].count)
        for (w, j) in zip(weights, visible) { for a in o.indices { o[a] += w / total * v[j][a] } }
        return o
    }
}
