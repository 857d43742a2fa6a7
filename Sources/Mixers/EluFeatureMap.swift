import Kernels

/// Linear attention's map (Katharopoulos et al. 2020): φ(x) = elu(x) + 1, i.e. x + 1 for x > 0 and eˣ
/// otherwise; r = D, ε = 1e−6 as in fast-transformers. No scale (it is ignored).
/// dφ/dx = 1 for x > 0, else eˣ = φ(x).
struct EluFeatureMap: FeatureMap {
    func width(headDimension d: Int) -> Int { d }
    var epsilon: Float { 1e-6 }
    func flops(headDimension d: Int) -> Double { Double(2 * d) }

    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        // One pass: e^{min(x, 0)} computed for every lane (`nonPositiveExp`), x + 1 kept where x > 0.
        zipLanes(x, x, into: out, count: rows * d) { x, _ in
            let positive = x .> 0
            return nonPositiveExp(x.replacing(with: 0, where: positive)).replacing(with: x + 1, where: positive)
        }
    }

    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>) {
        let count = rows * d
        zipLanes(x, features, into: dx, count: count) { x, phi in phi.replacing(with: 1, where: x .> 0) }
        multiplyInto(gradFeatures, dx, count: count)
    }
}
