import Foundation
import Kernels

/// FAVOR+ from its formula: φ(x)_l = m^{−1/2}(exp(w_l·x̂ − ‖x̂‖²/2 − c) + 1e−4), x̂ = √s·x, c the row
/// maximum of w·x̂ for queries and the maximum over all keys and features for keys; then the normalised
/// kernel form with κ(q, k) = φ(q)·φ(k) and no ε.
func performerReference(
    _ q: [[Double]], _ k: [[Double]], _ v: [[Double]], projection: Tensor<Float>, scale: Double, causal: Bool
) -> [[Double]] {
    let (m, d) = (projection.shape[0], projection.shape[1])
    let w = (0..<m).map { l in (0..<d).map { Double(projection[l, $0]) } }
    let root = scale.squareRoot()
    func projected(_ x: [Double]) -> [Double] { w.map { root * dot($0, x) } }
    func phi(_ x: [Double], _ u: [Double], _ c: Double) -> [Double] {
        let half = scale * dot(x, x) / 2
        return u.map { (Foundation.exp($0 - half - c) + Double(PerformerFeatures.epsilon)) / Double(m).squareRoot() }
    }
    let keyProjections = k.map(projected)
    let keyMax = keyProjections.flatMap { $0 }.max() ?? 0
    let phiK = zip(k, keyProjections).map { phi($0, $1, keyMax) }
    let phiQ = q.map { x in
        let u = projected(x)
        return phi(x, u, u.max() ?? 0)
    }
    return kernelReference(phiQ, phiK, v, causal: causal, epsilon: 0) { dot($0, $1) }
}
