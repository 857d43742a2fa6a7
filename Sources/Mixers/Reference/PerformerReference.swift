import Foundation
import Kernels

/// FAVOR+ from its formula: φ(x)_l = m^{−1/2}(exp(w_l·x̂ − ‖x̂‖²/2 − c) + 1e−4), x̂ = √s·x, c the row
/// maximum of w·x̂ for queries and the maximum over all keys and features for keys; then the normalised
/// kernel form with κ(q, k) = φ(q)·φ(k) and no ε.
func performerReference(
    _ q: [[Double]], _ k: [[Double]], _ v: [[Double]], projection: Tensor<Float>, scale: Double, causal: Bool
) -> [[Double]] {
    let phiQ = performerFeaturesReference(q, projection: projection, scale: scale, isQuery: true)
    let phiK = performerFeaturesReference(k, projection: projection, scale: scale, isQuery: false)
    return kernelReference(phiQ, phiK, v, causal: causal, epsilon: 0) { dot($0, $1) }
}

/// φ(x) `[N, m]` of one head's rows x `[N, D]` (queries: per-row stabiliser; keys: the head's maximum).
func performerFeaturesReference(_ x: [[Double]], projection: Tensor<Float>, scale: Double, isQuery: Bool) -> [[Double]] {
    let (m, d) = (projection.shape[0], projection.shape[1])
    let w = (0..<m).map { l in (0..<d).map { Double(projection[l, $0]) } }
    let root = scale.squareRoot()
    let u = x.map { row in w.map { root * dot($0, row) } }
    let headMax = u.flatMap { $0 }.max() ?? 0
    return zip(x, u).map { row, projected in
        let (half, c) = (scale * dot(row, row) / 2, isQuery ? projected.max() ?? 0 : headMax)
        return projected.map { (Foundation.exp($0 - half - c) + Double(PerformerFeatures.epsilon)) / Double(m).squareRoot() }
    }
}
