import Kernels

/// `linear` and `polynomial` (and `based`'s backward; its forward is `BasedAttention`): kernelised attention
/// with a fixed feature map (see `NormalizedFeatureAttention`), causal or not.
///
/// Forward: `ChunkedFeatureAttention`, which applies φ chunk by chunk in L1 scratch (no feature tensors).
/// Backward: `ChunkedFeatureAttentionBackward`, φ recomputed per chunk and dφ mapped back to dQ, dK inside
/// the chunk pass (no feature tensors either; r can be large: Based at D = 64 has r = 4161).
/// State per head r·(D + 1) floats; forward cost per token `ChunkedFeatureAttention.flops`.
struct FeatureMapMixer<Map: FeatureMap>: TokenMixer {
    let descriptor: MixerDescription
    let featureMap: Map

    func stateBytes(n: Int, d: Int) -> Int { ((try? featureMap.width(headDimension: d)) ?? 0) * (d + 1) * 4 }

    func flops(n: Int, d: Int) -> Double {
        let r = (try? featureMap.width(headDimension: d)) ?? 0
        return ChunkedFeatureAttention.flops(featureMap: featureMap, features: r, headDimension: d, causal: descriptor.causal)
    }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let d = shape.headDimension
        let attention = ChunkedFeatureAttention(
            featureMap: featureMap, heads: shape.flatHeads, length: shape.length,
            features: try featureMap.width(headDimension: d), headDimension: d, causal: descriptor.causal,
            scale: descriptor.scale(headDimension: d), querySigns: featureMap.querySigns(headDimension: d))
        return normalizedForward(queries: queries, keys: keys, values: values, shape: shape) { q, k, v, o, den in
            attention.forward(q: q, k: k, v: v, output: o, denominator: den)
        }
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let d = shape.headDimension
        let r = try featureMap.width(headDimension: d)
        var gradQueries = Tensor<Float>(zeros: queries.shape), gradKeys = Tensor<Float>(zeros: keys.shape)
        let gradValues = queries.withUnsafeBufferPointer { q in
            keys.withUnsafeBufferPointer { k in
                gradQueries.withUnsafeMutableBufferPointer { dq in
                    gradKeys.withUnsafeMutableBufferPointer { dk in
                        let chunks = FeatureMapChunks(
                            featureMap: featureMap, features: r, headDimension: d, scale: descriptor.scale(headDimension: d),
                            querySigns: featureMap.querySigns(headDimension: d), q: q.baseAddress!, k: k.baseAddress!,
                            dq: dq.baseAddress!, dk: dk.baseAddress!)
                        let backward = ChunkedFeatureAttentionBackward(
                            source: chunks, heads: shape.flatHeads, length: shape.length, headDimension: d,
                            causal: descriptor.causal)
                        return normalizedBackward(values: values, forward: forward, gradOutput: gradOutput) { backward.run($0) }
                    }
                }
            }
        }
        return MixerGradients(queries: gradQueries, keys: gradKeys, values: gradValues)
    }
}

/// rows `[rows, factors.count]` ⊙= factors, row by row.
func multiplyRows(_ matrix: UnsafeMutablePointer<Float>, rows count: Int, by factors: [Float]) {
    let r = factors.count
    for row in 0..<count {
        for i in 0..<r { matrix[row * r + i] *= factors[i] }
    }
}
