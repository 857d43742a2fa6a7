import Kernels

/// Kernelised attention from explicit features, the form linear, Based, Performer and the polynomial
/// method share:
///
///     o_i = Σ_{j visible from i} (φq_i·φk_j)·v_j / (Σ_{j visible from i} φq_i·φk_j + ε)
///
/// over G = B·H heads: φq, φk `[G, N, r]`, v and o `[G, N, D]`. The numerator and denominator are one
/// `ChunkedLinearAttention` pass with values [v, 1] (`[G, N, D + 1]`).
/// Cost per token and head: `ChunkedLinearAttention.flops(keyWidth: r, valueWidth: D + 1)`; state r·(D + 1).
struct NormalizedFeatureAttention {
    let heads: Int, length: Int, features: Int, headDimension: Int
    let causal: Bool
    let epsilon: Float

    var engine: ChunkedLinearAttention {
        ChunkedLinearAttention(heads: heads, length: length, keyWidth: features, valueWidth: headDimension + 1, causal: causal)
    }

    /// Output `[G, N, D]` and the denominators `[G, N]` (ε included).
    func forward(phiQ: Tensor<Float>, phiK: Tensor<Float>, values: Tensor<Float>) -> (output: Tensor<Float>, denominator: Tensor<Float>) {
        let (n, d) = (length, headDimension)
        let augmented = withOnes(values)
        var numerator = Tensor<Float>(zeros: [heads, n, d + 1])
        phiQ.withUnsafeBufferPointer { q in
            phiK.withUnsafeBufferPointer { k in
                augmented.withUnsafeBufferPointer { v in
                    numerator.withUnsafeMutableBufferPointer { o in
                        engine.forward(LinearAttentionInputs(q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!, logDecay: nil),
                                       output: o.baseAddress!)
                    }
                }
            }
        }
        var output = Tensor<Float>(zeros: [heads, n, d])
        var denominator = Tensor<Float>(zeros: [heads, n])
        numerator.withUnsafeBufferPointer { num in
            output.withUnsafeMutableBufferPointer { o in
                denominator.withUnsafeMutableBufferPointer { den in
                    for row in 0..<(heads * n) {
                        let total = num[row * (d + 1) + d] + epsilon
                        den[row] = total
                        let inverse = 1 / total
                        for a in 0..<d { o[row * d + a] = num[row * (d + 1) + a] * inverse }
                    }
                }
            }
        }
        return (output, denominator)
    }

    /// dφq, dφk `[G, N, r]` and dV `[G, N, D]`. With den_i the denominator: the numerator's gradient is
    /// [dO_i / den_i, −(dO_i·o_i) / den_i], pushed through the engine's backward pass.
    func backward(
        phiQ: Tensor<Float>, phiK: Tensor<Float>, values: Tensor<Float>, output: Tensor<Float>,
        denominator: Tensor<Float>, gradOutput: Tensor<Float>
    ) -> (phiQ: Tensor<Float>, phiK: Tensor<Float>, values: Tensor<Float>) {
        let (n, d) = (length, headDimension)
        var gradNumerator = Tensor<Float>(zeros: [heads, n, d + 1])
        gradOutput.withUnsafeBufferPointer { dO in
            output.withUnsafeBufferPointer { o in
                denominator.withUnsafeBufferPointer { den in
                    gradNumerator.withUnsafeMutableBufferPointer { g in
                        for row in 0..<(heads * n) {
                            let inverse = 1 / den[row]
                            let dot = dotProduct(dO.baseAddress! + row * d, o.baseAddress! + row * d, count: d)
                            for a in 0..<d { g[row * (d + 1) + a] = dO[row * d + a] * inverse }
                            g[row * (d + 1) + d] = -dot * inverse
                        }
                    }
                }
            }
        }
        let augmented = withOnes(values)
        var gradQ = Tensor<Float>(zeros: phiQ.shape), gradK = Tensor<Float>(zeros: phiK.shape)
        var gradAugmented = Tensor<Float>(zeros: augmented.shape)
        phiQ.withUnsafeBufferPointer { q in
            phiK.withUnsafeBufferPointer { k in
                augmented.withUnsafeBufferPointer { v in
                    gradNumerator.withUnsafeBufferPointer { dO in
                        gradQ.withUnsafeMutableBufferPointer { dq in
                            gradK.withUnsafeMutableBufferPointer { dk in
                                gradAugmented.withUnsafeMutableBufferPointer { dv in
                                    engine.backward(
                                        LinearAttentionInputs(q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!, logDecay: nil),
                                        gradOutput: dO.baseAddress!,
                                        gradients: LinearAttentionGradients(q: dq.baseAddress!, k: dk.baseAddress!,
                                                                            v: dv.baseAddress!, logDecay: nil))
                                }
                            }
                        }
                    }
                }
            }
        }
        var gradValues = Tensor<Float>(zeros: values.shape)
        gradAugmented.withUnsafeBufferPointer { source in
            gradValues.withUnsafeMutableBufferPointer { target in
                for row in 0..<(heads * n) {
                    (target.baseAddress! + row * d).update(from: source.baseAddress! + row * (d + 1), count: d)
                }
            }
        }
        return (gradQ, gradK, gradValues)
    }

    /// [v, 1] `[G, N, D + 1]`.
    private func withOnes(_ values: Tensor<Float>) -> Tensor<Float> {
        let d = headDimension
        var augmented = Tensor<Float>(repeating: 1, shape: [heads, length, d + 1])
        values.withUnsafeBufferPointer { v in
            augmented.withUnsafeMutableBufferPointer { a in
                for row in 0..<(heads * length) {
                    (a.baseAddress! + row * (d + 1)).update(from: v.baseAddress! + row * d, count: d)
                }
            }
        }
        return augmented
    }
}
