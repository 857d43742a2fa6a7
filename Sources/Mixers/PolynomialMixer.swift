import Kernels

/// `polynomial`: the Alman–Song method. Per call it fixes the entry bound B — the description's `bound`, or
/// else the largest |entry| of Q and K together (over all heads) — builds P = `ExpPolynomial` of the
/// description's degree on [−s·D·B², s·D·B²], and runs `FeatureMapMixer` with `PolynomialFeatureMap(P)`.
/// Backward derives the same B from the same inputs and treats it as a constant (the gradient does not flow
/// through the arg-max entry's effect on P; give `bound` for a fixed P).
/// State per head r·(D + 1) floats, r = C(D + g, g); cost per token as `FeatureMapMixer` with p = r.
struct PolynomialMixer: TokenMixer {
    let descriptor: MixerDescription

    func stateBytes(n: Int, d: Int) -> Int { inner(ExpPolynomial(degree: descriptor.polynomialDegree, radius: 0)).stateBytes(n: n, d: d) }

    func flops(n: Int, d: Int) -> Double { inner(ExpPolynomial(degree: descriptor.polynomialDegree, radius: 0)).flops(n: n, d: d) }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        return try inner(polynomial(queries, keys, shape)).forward(queries: queries, keys: keys, values: values)
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        return try inner(polynomial(queries, keys, shape)).backward(
            queries: queries, keys: keys, values: values, forward: forward, gradOutput: gradOutput)
    }

    /// P for these inputs.
    func polynomial(_ queries: Tensor<Float>, _ keys: Tensor<Float>, _ shape: MixerShape) -> ExpPolynomial {
        let d = shape.headDimension
        let bound = descriptor.bound.map(Double.init) ?? Double(max(largestMagnitude(queries), largestMagnitude(keys)))
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
