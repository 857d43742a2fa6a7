import Kernels

/// `polynomial`: the Alman–Song method. Per call it fixes the entry bound B — the description's `bound`, or
/// else the largest |entry| of Q and K together (over all heads) — builds P = `ExpPolynomial` of the
/// description's degree on [−s·D·B², s·D·B²], and runs `FeatureMapMixer` with `PolynomialFeatureMap(P)`.
/// Backward derives the same B from the same inputs and treats it as a constant (the gradient does not flow
/// through the arg-max entry's effect on P; give `bound` for a fixed P).
/// **Finite or an error**: the features are normalised (`PolynomialFeatureMap`), so with the derived B the
/// output is finite at any R (accurate only while the Chebyshev error bound is small: large entries give an
/// Ω(1) error, Alman–Song's threshold, not an overflow). A given `bound` far below the entries makes the
/// features grow as (|x|/B)^g; an output that is not finite then throws, naming R, B and the largest entry,
/// instead of being returned. Infinite entries throw before anything runs.
/// State per head r·(D + 1) floats, r = C(D + g, g); cost per token as `FeatureMapMixer` with p = r.
struct PolynomialMixer: TokenMixer {
    let descriptor: MixerDescription

    func stateBytes(n: Int, d: Int) -> Int { inner(ExpPolynomial(degree: descriptor.polynomialDegree, radius: 0)).stateBytes(n: n, d: d) }

    func flops(n: Int, d: Int) -> Double { inner(ExpPolynomial(degree: descriptor.polynomialDegree, radius: 0)).flops(n: n, d: d) }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let polynomial = try polynomial(queries, keys, shape)
        let result = try inner(polynomial).forward(queries: queries, keys: keys, values: values)
        guard result.output.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else {
            let largest = max(largestMagnitude(queries), largestMagnitude(keys))
            throw MixerError.invalidParameter(
                "polynomial output overflowed float32 at R = s·D·B² = \(polynomial.radius) (bound B = \(descriptor.bound ?? largest), largest |entry| of Q and K \(largest)); pass a bound ≥ \(largest) or none")
        }
        return result
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        return try inner(polynomial(queries, keys, shape)).backward(
            queries: queries, keys: keys, values: values, forward: forward, gradOutput: gradOutput)
    }

    /// P for these inputs; throws when the derived bound is not finite.
    func polynomial(_ queries: Tensor<Float>, _ keys: Tensor<Float>, _ shape: MixerShape) throws -> ExpPolynomial {
        let d = shape.headDimension
        let bound = descriptor.bound.map(Double.init) ?? Double(max(largestMagnitude(queries), largestMagnitude(keys)))
        guard bound.isFinite else {
            throw MixerError.invalidParameter("polynomial needs finite queries and keys; the largest |entry| is \(bound)")
        }
        return ExpPolynomial(
            degree: descriptor.polynomialDegree,
            radius: ExpPolynomial.radius(bound: bound, scale: Double(descriptor.scale(headDimension: d)), headDimension: d))
    }

    func inner(_ polynomial: ExpPolynomial) -> FeatureMapMixer<PolynomialFeatureMap> {
        FeatureMapMixer(descriptor: descriptor, featureMap: PolynomialFeatureMap(polynomial: polynomial))
    }
}

/// max |x| over a tensor (0 when empty).
func largestMagnitude(_ x: Tensor<Float>) -> Float {
    x.withUnsafeBufferPointer { $0.reduce(0) { max($0, abs($1)) } }
}
