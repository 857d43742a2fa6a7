import Attention
import Kernels

/// The yardsticks for the fast mixers: each formula written out in Float64, materialising the N × N
/// matrices where the formula does. Cost O(N²·D) per head or more — for tests, not for speed.
///
/// Shapes `[B, H, N, D]` or `[H, N, D]`, as `TokenMixer`. Random mixers (Performer, Linformer) use the
/// same draws as the fast path (`PerformerFeatures`, `LinformerProjections`), widened to Float64.
public enum MixerReference {
    /// The output of the mixer `descriptor` describes, from its formula.
    public static func output(
        _ descriptor: MixerDescription, queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>
    ) throws -> Tensor<Double> {
        try descriptor.validate()
        let shape = try MixerShape(queries: queries.shape, keys: keys.shape, values: values.shape)
        let (n, d) = (shape.length, shape.headDimension)
        let (q, k, v) = (queries.elements, keys.elements, values.elements)
        let head = try headFunction(descriptor, shape, largestEntry: (q + k).reduce(0) { max($0, abs($1)) })
        var output = Tensor<Double>(zeros: queries.shape)
        for g in 0..<shape.flatHeads {
            func rows(_ x: [Double]) -> [[Double]] {
                (0..<n).map { i in Array(x[(g * n + i) * d ..< (g * n + i + 1) * d]) }
            }
            let o = head(rows(q), rows(k), rows(v), g % shape.heads)
            output.withUnsafeMutableBufferPointer { out in
                for i in 0..<n { for a in 0..<d { out[(g * n + i) * d + a] = o[i][a] } }
            }
        }
        return output
    }

    typealias Head = (_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], _ head: Int) -> [[Double]]

    /// The formula of one head; `largestEntry` (max |entry| of Q and K) is the polynomial's default bound.
    static func headFunction(_ m: MixerDescription, _ shape: MixerShape, largestEntry: Double) throws -> Head {
        let d = shape.headDimension
        let scale = Double(m.scale(headDimension: d))
        switch m.kind {
        case .exact, .window:
            let mask: AttentionMask = m.kind == .window ? .slidingWindow(m.window ?? 1) : (m.causal ? .causal : .none)
            return { q, k, v, _ in softmaxReference(q, k, v, scale: scale, mask: mask) }
        case .linear:
            return { q, k, v, _ in linearReference(q, k, v, causal: m.causal) }
        case .based:
            return { q, k, v, _ in basedReference(q, k, v, scale: scale, causal: m.causal) }
        case .polynomial:
            _ = try PolynomialFeatureMap.checkedWidth(degree: m.polynomialDegree, headDimension: d)
            let bound = m.bound.map(Double.init) ?? largestEntry
            let polynomial = ExpPolynomial(
                degree: m.polynomialDegree, radius: ExpPolynomial.radius(bound: bound, scale: scale, headDimension: d))
            return { q, k, v, _ in polynomialReference(q, k, v, polynomial: polynomial, scale: scale, causal: m.causal) }
        case .performer:
            let w = PerformerFeatures.draw(features: m.featureCount, headDimension: d, seed: m.seed, stream: 0)
            return { q, k, v, _ in performerReference(q, k, v, projection: w, scale: scale, causal: m.causal) }
        case .linformer:
            let p = LinformerProjections.random(rows: m.featureCount, length: shape.length, seed: m.seed)
            return { q, k, v, _ in linformerReference(q, k, v, projections: p, scale: scale) }
        case .nystrom:
            let landmarks = try NystromMixer.checkedLandmarks(m.landmarkCount, length: shape.length)
            return { q, k, v, _ in nystromReference(q, k, v, landmarks: landmarks, scale: scale) }
        case .gla:
            return { q, k, v, _ in glaReference(q, k, v, scale: scale) }
        case .retnet:
            return { q, k, v, h in retnetReference(q, k, v, scale: scale, gamma: DecayedLinearMixer.retentionDecay(head: h)) }
        }
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// o_i = Σ_{j visible} κ(q_i, k_j)·v_j / (Σ_{j visible} κ(q_i, k_j) + ε), the normalised kernel form; a row
/// whose denominator is ≤ 0 (possible only for a polynomial κ that dips below 0) outputs zeros.
func kernelReference(
    _ q: [[Double]], _ k: [[Double]], _ v: [[Double]], causal: Bool, epsilon: Double,
    kernel: ([Double], [Double]) -> Double
) -> [[Double]] {
    q.indices.map { i in
        var numerator = [Double](repeating: 0, count: v[0].count), denominator = epsilon
        for j in k.indices where !causal || j <= i {
            let weight = kernel(q[i], k[j])
            denominator += weight
            for a in numerator.indices { numerator[a] += weight * v[j][a] }
        }
        return numerator.map { denominator > 0 ? $0 / denominator : 0 }
    }
}
