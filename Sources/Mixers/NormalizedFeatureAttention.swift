import Kernels

/// Kernelised attention from explicit features, the form linear, Based, Performer and the polynomial
/// method share:
///
///     o_i = Σ_{j visible from i} (φq_i·φk_j)·v_j / (φq_i·z_i + ε),   z_i = Σ_{j visible from i} φk_j
///
/// over G = B·H heads: φq, φk `[G, N, r]`, v and o `[G, N, D]`. The numerator is one `ChunkedLinearAttention`
/// pass; the denominator's feature sums z are `RunningSums` (2·r FLOPs per token). A row whose denominator is
/// ≤ 0 — possible only when φq·φk can be negative (the polynomial method with a poor P) — outputs zeros and
/// passes no gradient: there is no usable normaliser, and zero is the output an empty row would have.
/// Performer's non-causal forward pass on its feature tensors; the backward pass is `ChunkedFeatureAttentionBackward`.
/// Cost per token and head: `ChunkedLinearAttention.flops(keyWidth: r, valueWidth: D)` + 4·r; state r·(D + 1).
struct NormalizedFeatureAttention {
    let heads: Int, length: Int, features: Int, headDimension: Int
    let causal: Bool
    let epsilon: Float

    var engine: ChunkedLinearAttention {
        ChunkedLinearAttention(heads: heads, length: length, keyWidth: features, valueWidth: headDimension, causal: causal)
    }

    var sums: RunningSums { RunningSums(heads: heads, length: length, width: features) }

    /// Output `[G, N, D]` and the denominators `[G, N]` (ε included).
    func forward(phiQ: Tensor<Float>, phiK: Tensor<Float>, values: Tensor<Float>) -> (output: Tensor<Float>, denominator: Tensor<Float>) {
        let (n, d, r) = (length, headDimension, features)
        var output = Tensor<Float>(zeros: [heads, n, d])
        var denominator = Tensor<Float>(zeros: [heads, n])
        phiQ.withUnsafeBufferPointer { q in
            phiK.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { o in
                        denominator.withUnsafeMutableBufferPointer { den in
                            let (q, o, den) = (q.baseAddress!, o.baseAddress!, den.baseAddress!)
                            engine.forward(LinearAttentionInputs(q: q, k: k.baseAddress!, v: v.baseAddress!, logDecay: nil),
                                           output: o)
                            sums.run(k.baseAddress!, weights: nil, direction: causal ? .prefix : .total) { g, t, z in
                                let row = g * n + t
                                den[row] = dotProduct(q + row * r, z, count: r) + epsilon
                                let inverse = MixerVector(repeating: den[row] > 0 ? 1 / den[row] : 0)
                                zipLanes(o + row * d, o + row * d, into: o + row * d, count: d) { x, _ in x * inverse }
                            }
                        }
                    }
                }
            }
        }
        return (output, denominator)
    }
}

/// The forward of a normalised mixer that works on raw q, k, v `[G, N, D]`: `body` gets their storage, the
/// output o (shaped like the queries) and the denominators `[G, N]` to fill; the denominators are saved for
/// the backward pass.
func normalizedForward(
    queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, shape: MixerShape,
    _ body: (_ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
             _ o: UnsafeMutablePointer<Float>, _ denominator: UnsafeMutablePointer<Float>) -> Void
) -> MixerForward {
    var output = Tensor<Float>(zeros: queries.shape)
    var denominator = Tensor<Float>(zeros: [shape.flatHeads, shape.length])
    queries.withUnsafeBufferPointer { q in
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                output.withUnsafeMutableBufferPointer { o in
                    denominator.withUnsafeMutableBufferPointer { den in
                        body(q.baseAddress!, k.baseAddress!, v.baseAddress!, o.baseAddress!, den.baseAddress!)
                    }
                }
            }
        }
    }
    return MixerForward(output: output, saved: [denominator])
}
