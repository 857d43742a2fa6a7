import Kernels

/// Linformer from its formula: K′ = E·K, V′ = F·V (`[k, D]`), then softmax(scale·Q·K′ᵀ)·V′.
func linformerReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], projections: LinformerProjections, scale: Double) -> [[Double]] {
    func project(_ p: Tensor<Float>, _ x: [[Double]]) -> [[Double]] {
        let weights = p.converted(to: Double.self)
        var out = [[Double]](repeating: [Double](repeating: 0, count: x[0].count), count: p.shape[0])
        for r in out.indices {
            for j in x.indices {
                let w = weights[r, j]
                for a in x[j].indices { out[r][a] += w * x[j][a] }
            }
        }
        return out
    }
    return softmaxReference(q, project(projections.keys, k), project(projections.values, v), scale: scale, mask: .none)
}
