import Kernels

/// Linear attention's map (Katharopoulos et al. 2020): φ(x) = elu(x) + 1, i.e. x + 1 for x > 0 and eˣ
/// otherwise; r = D, ε = 1e−6 as in fast-transformers. No scale (it is ignored).
/// dφ/dx = 1 for x > 0, else eˣ = φ(x).
struct EluFeatureMap: FeatureMap {
    func width(headDimension d: Int) -> Int { d }
    var epsilon: Float { 1e-6 }
    func flops(headDimension d: Int) -> Double { Double(2 * d) }

    /// One pass over `rows·d` floats, ≈ 20 vector instructions per `MixerVector`. The loop is written out
    /// (not a `zipLanes` closure): as a closure the optimiser kept the exp out of line, one call per vector,
    /// which made φ cost ≈ 15% of the linear forward pass.
    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let count = rows * d
        var i = 0
        while i + mixerLanes <= count {
            out.store(eluPlusOne(x.vector(at: i)), at: i)
            i += mixerLanes
        }
        zipLanes(x + i, x + i, into: out + i, count: count - i) { x, _ in eluPlusOne(x) }
    }

    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>) {
        // dx = dφ · (1 where x > 0, else φ), in one written-out pass (a `zipLanes` closure stayed out of line).
        let count = rows * d
        var i = 0
        while i + mixerLanes <= count {
            dx.store(gradFeatures.vector(at: i) * features.vector(at: i).replacing(with: 1, where: x.vector(at: i) .> 0), at: i)
            i += mixerLanes
        }
        zipLanes(x + i, features + i, into: dx + i, count: count - i) { x, phi in phi.replacing(with: 1, where: x .> 0) }
        multiplyInto(gradFeatures + i, dx + i, count: count - i)
    }
}

/// elu(x) + 1 lane-wise: x + 1 where x > 0, else e^x (`nonPositiveExp` of min(x, 0), so the exp never
/// sees a positive lane).
@inline(__always)
func eluPlusOne(_ x: MixerVector) -> MixerVector {
    let positive = x .> 0
    return nonPositiveExp(x.replacing(with: 0, where: positive)).replacing(with: x + 1, where: positive)
}
