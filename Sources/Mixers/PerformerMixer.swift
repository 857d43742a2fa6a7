import Kernels
import Synchronization

/// `performer`: FAVOR+ (see `PerformerFeatures`) with m = `features` (default 256) random features on
/// normalised feature attention (ε = 0, as the reference code's denominator), causal or not: causal
/// chunk by chunk without feature tensors (`PerformerCausalForward`), non-causal on whole φ tensors
/// (`NormalizedFeatureAttention`); the backward pass recomputes the features per chunk (`PerformerChunks`),
/// with the keys' stabilisers the forward pass saved.
/// One projection W `[m, D]` serves every head of a call; without `redraw` it is draw 0 of `seed`, with
/// `redraw` call k of this mixer uses draw k (so two mixers made with one seed give the same sequence).
/// State per head m·(D + 1) floats; cost per token the engine's (p = m, e = D) + 4·m, plus 2·2·m·D for the projections.
struct PerformerMixer: TokenMixer {
    let descriptor: MixerDescription
    private let draws = DrawCounter()
    private let projections = DrawCache<Tensor<Float>>()
    /// The causal passes' Ê and feature cache, reused from call to call.
    private let buffers = BufferPool()

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
        return PerformerFeatures.withChunks(projection: w, shape: shape, scale: scale) { map in
            var stabilisers: [KeyStabiliser] = []
            let result: MixerForward
            if descriptor.causal {
                result = normalizedForward(queries: queries, keys: keys, values: values, shape: shape) { q, k, v, o, den in
                    let pass = PerformerCausalForward(map: map, heads: shape.flatHeads, pool: buffers)
                    stabilisers = pass.run(q: q, k: k, v: v, output: o, denominator: den)
                }
            } else {
                let phi = PerformerFeatures.features(queries: queries, keys: keys, map: map, heads: shape.flatHeads)
                let flat = [shape.flatHeads, shape.length, shape.headDimension]
                let (output, denominator) = attention(shape).forward(phiQ: phi.phiQ, phiK: phi.phiK, values: values.reshaped(flat))
                stabilisers = phi.stabilisers
                result = MixerForward(output: output.reshaped(queries.shape), saved: [denominator])
            }
            return MixerForward(output: result.output, saved: result.saved + [w, KeyStabiliser.tensor(stabilisers)])
        }
    }

    /// Through `ChunkedFeatureAttentionBackward` with the features recomputed per chunk (`PerformerChunks`, causal
    /// once per chunk and kept for the second pass).
    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let (w, stabilisers) = (forward.saved[1], KeyStabiliser.list(forward.saved[2]))
        let scale = descriptor.scale(headDimension: shape.headDimension)
        var gradQueries = Tensor<Float>(zeros: queries.shape), gradKeys = Tensor<Float>(zeros: keys.shape)
        let rows = shape.flatHeads * shape.length
        let queryArgmax = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        let keyRowSums = UnsafeMutablePointer<Float>.allocate(capacity: rows)
        defer {
            queryArgmax.deallocate()
            keyRowSums.deallocate()
        }
        let gradValues = PerformerFeatures.withChunks(projection: w, shape: shape, scale: scale) { map in
            queries.withUnsafeBufferPointer { q in
                keys.withUnsafeBufferPointer { k in
                    gradQueries.withUnsafeMutableBufferPointer { dq in
                        gradKeys.withUnsafeMutableBufferPointer { dk in
                            stabilisers.withUnsafeBufferPointer { tops in
                                withCache(rows: rows, features: map.features) { cache in
                                    let source = PerformerChunks(
                                        map: map, q: q.baseAddress!, k: k.baseAddress!, stabilisers: tops.baseAddress!,
                                        dq: dq.baseAddress!, dk: dk.baseAddress!, queryArgmax: queryArgmax,
                                        keyRowSums: keyRowSums, cache: cache)
                                    let backward = ChunkedFeatureAttentionBackward(
                                        source: source, heads: shape.flatHeads, length: shape.length,
                                        headDimension: shape.headDimension, causal: descriptor.causal)
                                    let gradValues = normalizedBackward(values: values, forward: forward,
                                                                        gradOutput: gradOutput) { backward.run($0) }
                                    source.addKeyStabiliserGradients(heads: shape.flatHeads)
                                    return gradValues
                                }
                            }
                        }
                    }
                }
            }
        }
        return MixerGradients(queries: gradQueries, keys: gradKeys, values: gradValues)
    }

    /// A `PerformerFeatureCache` when causal (whose backward asks for most chunks' features twice), else nil.
    private func withCache<Result>(rows: Int, features m: Int, _ body: (PerformerFeatureCache?) -> Result) -> Result {
        descriptor.causal ? PerformerFeatureCache.with(rows: rows, features: m, pool: buffers) { body($0) } : body(nil)
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
