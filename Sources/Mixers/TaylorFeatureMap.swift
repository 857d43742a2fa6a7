/// Based's second-order Taylor map (Arora et al. 2024, zoology `feature_maps/taylor.py`), generalised to a
/// scale s (default 1/√D, the paper's): φ(x) = [1, √s·x, s·vec(x xᵀ)/√2], so
/// φ(q)·φ(k) = 1 + s·q·k + (s·q·k)²/2, the Taylor expansion of exp(s·q·k). r = 1 + D + D², ε = 1e−12.
/// Backward: dx = √s·dφ_lin + (s/√2)·(dM + dMᵀ)·x with dM the D×D block of dφ.
/// Cost: D² multiplies per row forward, 4·D² backward.
struct TaylorFeatureMap: FeatureMap {
    func width(headDimension d: Int) -> Int { 1 + d + d * d }
    var epsilon: Float { 1e-12 }
    func flops(headDimension d: Int) -> Double { Double(d * d + d) }

    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let r = width(headDimension: d)
        let (linear, quadratic) = (scale.squareRoot(), scale / Float(2).squareRoot())
        for row in 0..<rows {
            let (xi, phi) = (x + row * d, out + row * r)
            phi[0] = 1
            for a in 0..<d { phi[1 + a] = linear * xi[a] }
            let block = phi + 1 + d
            for a in 0..<d {
                let factor = quadratic * xi[a]
                zipLanes(xi, xi, into: block + a * d, count: d) { x, _ in x * MixerVector(repeating: factor) }
            }
        }
    }

    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>) {
        let r = width(headDimension: d)
        let (linear, quadratic) = (scale.squareRoot(), scale / Float(2).squareRoot())
        for row in 0..<rows {
            let (xi, g, out) = (x + row * d, gradFeatures + row * r, dx + row * d)
            let block = g + 1 + d
            // out = √s·dφ_lin + (s/√2)·(dM·x + dMᵀ·x)
            for a in 0..<d {
                out[a] = linear * g[1 + a] + quadratic * dotProduct(block + a * d, xi, count: d)
            }
            for a in 0..<d { addScaled(block + a * d, quadratic * xi[a], into: out, count: d) }
        }
    }
}
