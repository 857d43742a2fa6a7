import Kernels
import Synchronization

/// `performer`: FAVOR+ (see `PerformerFeatures`) with m = `features` (default 256) random features on
/// `NormalizedFeatureAttention` (ε = 0, as the reference code's denominator), causal or not.
/// One projection W `[m, D]` serves every head of a call; without `redraw` it is draw 0 of `seed`, with
/// `redraw` call k of this mixer uses draw k (so two mixers made with one seed give the same sequence).
/// State per head m·(D + 1) floats; cost per token the engine's (p = m, e = D) + 4·m, plus 2·2·m·D for the projections.
struct PerformerMixer: TokenMixer {
    let descriptor: MixerDescription
    private let draws = DrawCounter()
    private let projections = DrawCache<Tensor<Float>>()

    func stateBytes(n: Int, d: Int) -> Int { descriptor.featureCount * (d + 1) * 4 }

    func flops(n: Int, d: Int) -> Double {
        let m = descriptor.featureCount
        return ChunkedLinearAttention.flops(keyWidth: m, valueWidth: d, causal: descriptor.causal) + Double(4 * m + 4 * m * d)
    }

    func attention(_ shape: MixerShape) -> NormalizedFeatureAttention {
        NormalizedFeatureAttention(heads: shape.flatHeads, length: shape.length, features: descriptor.featureCount,
                                   headDimension: shape.headDimension, causal: descriptor.causal, epsilon: 0)
    }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let (m, d) = (descriptor.featureCount, shape.headDimension)
        let w = descriptor.redraw
            ? PerformerFeatures.draw(features: m, headDimension: d, seed: descriptor.seed, stream: draws.next())
            : projections.value(d) { PerformerFeatures.draw(features: m, headDimension: d, seed: descriptor.seed, stream: 0) }
        let scale = descriptor.scale(headDimension: shape.headDimension)
        let phiQ = PerformerFeatures.features(queries, projection: w, shape: shape, scale: scale, isQuery: true)
        let phiK = PerformerFeatures.features(keys, projection: w, shape: shape, scale: scale, isQuery: false)
        let flat = [shape.flatHeads, shape.length, shape.headDimension]
        let (output, denominator) = attention(shape).forward(phiQ: phiQ.features, phiK: phiK.features, values: values.reshaped(flat))
        return MixerForward(output: output.reshaped(queries.shape), saved: [denominator, w])
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let w = forward.saved[1]
        let scale = descriptor.scale(headDimension: shape.headDimension)
        let phiQ = PerformerFeatures.features(queries, projection: w, shape: shape, scale: scale, isQuery: true)
        let phiK = PerformerFeatures.features(keys, projection: w, shape: shape, scale: scale, isQuery: false)
        var gradPhiQ = Tensor<Float>(zeros: phiQ.features.shape), gradPhiK = Tensor<Float>(zeros: phiK.features.shape)
        let gradValues = phiQ.features.withUnsafeBufferPointer { q in
            phiK.features.withUnsafeBufferPointer { k in
                gradPhiQ.withUnsafeMutableBufferPointer { dq in
                    gradPhiK.withUnsafeMutableBufferPointer { dk in
                        let chunks = StoredFeatureChunks(features: descriptor.featureCount, phiQ: q.baseAddress!,
                                                         phiK: k.baseAddress!, gradPhiQ: dq.baseAddress!, gradPhiK: dk.baseAddress!)
                        let backward = ChunkedFeatureAttentionBackward(
                            source: chunks, heads: shape.flatHeads, length: shape.length,
                            headDimension: shape.headDimension, causal: descriptor.causal)
                        return normalizedBackward(values: values, forward: forward, gradOutput: gradOutput) { backward.run($0) }
                    }
                }
            }
        }
        let dq = PerformerFeatures.backward(queries, projection: w, features: phiQ.features, argmax: phiQ.argmax,
                                            gradFeatures: gradPhiQ, shape: shape, scale: scale, isQuery: true)
        let dk = PerformerFeatures.backward(keys, projection: w, features: phiK.features, argmax: phiK.argmax,
                                            gradFeatures: gradPhiK, shape: shape, scale: scale, isQuery: false)
        return MixerGradients(queries: dq, keys: dk, values: gradValues)
    }
}

/// The number of draws a redrawing Performer has made (thread-safe).
final class DrawCounter: Sendable {
    private let count = Mutex<UInt64>(0)

    /// The next draw index, starting at 0.
    func next() -> UInt64 {
        count.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
