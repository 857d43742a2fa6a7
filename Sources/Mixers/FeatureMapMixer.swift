import Kernels

/// `linear` and `polynomial` (and `based`'s backward; its forward is `BasedAttention`): kernelised attention
/// with a fixed feature map (see `NormalizedFeatureAttention`), causal or not.
///
/// Forward: `ChunkedFeatureAttention`, which applies φ chunk by chunk in L1 scratch (no feature tensors).
/// Backward: φ(Q), φ(K) `[B·H, N, r]` (parallel over row blocks; r can be large: Based at D = 64 has
/// r = 4161), `NormalizedFeatureAttention.backward`, and dφ mapped back to dQ, dK.
/// State per head r·(D + 1) floats; forward cost per token `ChunkedFeatureAttention.flops`.
struct FeatureMapMixer<Map: FeatureMap>: TokenMixer {
    let descriptor: MixerDescription
    let featureMap: Map

    func stateBytes(n: Int, d: Int) -> Int { ((try? featureMap.width(headDimension: d)) ?? 0) * (d + 1) * 4 }

    func flops(n: Int, d: Int) -> Double {
        let r = (try? featureMap.width(headDimension: d)) ?? 0
        return ChunkedFeatureAttention.flops(featureMap: featureMap, features: r, headDimension: d, causal: descriptor.causal)
    }

    func attention(_ shape: MixerShape) throws -> NormalizedFeatureAttention {
        NormalizedFeatureAttention(
            heads: shape.flatHeads, length: shape.length, features: try featureMap.width(headDimension: shape.headDimension),
            headDimension: shape.headDimension, causal: descriptor.causal, epsilon: featureMap.epsilon)
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
        let attention = try attention(shape)
        let flat = [shape.flatHeads, shape.length, shape.headDimension]
        let (phiQ, phiK) = (features(queries, shape, signed: true), features(keys, shape))
        let grads = attention.backward(
            phiQ: phiQ, phiK: phiK, values: values.reshaped(flat), output: forward.output.reshaped(flat),
            denominator: forward.saved[0], gradOutput: gradOutput.reshaped(flat))
        return MixerGradients(
            queries: inputGradient(queries, phiQ, grads.phiQ, shape, signed: true),
            keys: inputGradient(keys, phiK, grads.phiK, shape),
            values: grads.values.reshaped(values.shape))
    }

    /// φ(x) `[B·H, N, r]`, times the map's query signs when `signed`.
    func features(_ x: Tensor<Float>, _ shape: MixerShape, signed: Bool = false) -> Tensor<Float> {
        let (d, scale) = (shape.headDimension, descriptor.scale(headDimension: shape.headDimension))
        let r = (try? featureMap.width(headDimension: d)) ?? 0
        let signs = signed ? featureMap.querySigns(headDimension: d) : nil
        var out = Tensor<Float>(zeros: [shape.flatHeads, shape.length, r])
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                forEachRowBlock(rows: shape.flatHeads * shape.length) { rows in
                    featureMap.apply(x + rows.lowerBound * d, rows: rows.count, d: d, scale: scale,
                                     into: out + rows.lowerBound * r)
                    if let signs { multiplyRows(out + rows.lowerBound * r, rows: rows.count, by: signs) }
                }
            }
        }
        return out
    }

    /// dx shaped like x, from dφ (of the signed features when `signed`; the signs are ±1, so they map dφ back
    /// to the unsigned features by one more multiply).
    func inputGradient(
        _ x: Tensor<Float>, _ phi: Tensor<Float>, _ gradPhi: Tensor<Float>, _ shape: MixerShape, signed: Bool = false
    ) -> Tensor<Float> {
        let (d, r) = (shape.headDimension, phi.shape[2])
        let scale = descriptor.scale(headDimension: d)
        var gradPhi = gradPhi
        if signed, let signs = featureMap.querySigns(headDimension: d) {
            gradPhi.withUnsafeMutableBufferPointer { multiplyRows($0.baseAddress!, rows: shape.flatHeads * shape.length, by: signs) }
        }
        var dx = Tensor<Float>(zeros: x.shape)
        x.withUnsafeBufferPointer { x in
            phi.withUnsafeBufferPointer { phi in
                gradPhi.withUnsafeBufferPointer { gradPhi in
                    dx.withUnsafeMutableBufferPointer { dx in
                        let (x, phi, gradPhi, dx) = (x.baseAddress!, phi.baseAddress!, gradPhi.baseAddress!, dx.baseAddress!)
                        forEachRowBlock(rows: shape.flatHeads * shape.length) { rows in
                            featureMap.backward(
                                x + rows.lowerBound * d, features: phi + rows.lowerBound * r,
                                gradFeatures: gradPhi + rows.lowerBound * r, rows: rows.count, d: d, scale: scale,
                                into: dx + rows.lowerBound * d)
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// Runs `body` on blocks of 64 rows of `0..<rows`, in parallel.
func forEachRowBlock(rows: Int, _ body: (Range<Int>) -> Void) {
    let block = 64
    parallelFor((rows + block - 1) / block) { i in
        body(i * block ..< min(rows, (i + 1) * block))
    }
}

/// rows `[rows, factors.count]` ⊙= factors, row by row.
func multiplyRows(_ matrix: UnsafeMutablePointer<Float>, rows count: Int, by factors: [Float]) {
    let r = factors.count
    for row in 0..<count {
        for i in 0..<r { matrix[row * r + i] *= factors[i] }
    }
}
