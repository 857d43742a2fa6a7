import Kernels

/// `based`: Based's Taylor kernel (`TaylorFeatureMap`), causal or not. Forward runs `BasedAttention`
/// (features per chunk and per thread's slice, intra-chunk part from the scores); backward is the
/// feature-map path's (`FeatureMapMixer`), which takes the same saved denominators.
/// State per head r·(D + 1) floats, r = 1 + D + D²; forward cost per token `BasedAttention.flops`.
struct BasedMixer: TokenMixer {
    let descriptor: MixerDescription

    var featureMixer: FeatureMapMixer<TaylorFeatureMap> { FeatureMapMixer(descriptor: descriptor, featureMap: TaylorFeatureMap()) }

    func stateBytes(n: Int, d: Int) -> Int { featureMixer.stateBytes(n: n, d: d) }

    func flops(n: Int, d: Int) -> Double { BasedAttention.flops(headDimension: d, causal: descriptor.causal) }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let attention = BasedAttention(
            heads: shape.flatHeads, length: shape.length, headDimension: shape.headDimension,
            scale: descriptor.scale(headDimension: shape.headDimension), causal: descriptor.causal,
            epsilon: TaylorFeatureMap().epsilon)
        return normalizedForward(queries: queries, keys: keys, values: values, shape: shape) { q, k, v, o, den in
            attention.forward(q: q, k: k, v: v, output: o, denominator: den)
        }
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        try featureMixer.backward(queries: queries, keys: keys, values: values, forward: forward, gradOutput: gradOutput)
    }
}
