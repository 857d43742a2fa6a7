import Kernels

/// The normalisation of the standard transformer's rows (over the embedding, ε inside the root).
public enum Normalization: String, Sendable, CaseIterable {
    /// `γ·(x − mean)/√(var + ε) + β`.
    case layerNorm = "layernorm"
    /// `γ·x/√(mean(x²) + ε)`, no shift.
    case rmsNorm = "rmsnorm"
}

/// The learned parameters of one norm: gain γ `[m]` and, for LayerNorm only, shift β `[m]`.
public struct NormWeights: Sendable {
    public var weight: Tensor<Float>
    /// β for `.layerNorm`; nil for `.rmsNorm`.
    public var bias: Tensor<Float>?

    public init(weight: Tensor<Float>, bias: Tensor<Float>?) {
        self.weight = weight
        self.bias = bias
    }

    /// γ = 1, β = 0 (β only for LayerNorm).
    public static func identity(embedding m: Int, _ kind: Normalization) -> NormWeights {
        NormWeights(weight: Tensor(repeating: 1, shape: [m]), bias: kind == .layerNorm ? Tensor(zeros: [m]) : nil)
    }

    /// Throws `ModelError` naming `{prefix}.weight` / `{prefix}.bias` unless the shapes fit m and the bias
    /// is present exactly for LayerNorm.
    func validate(embedding m: Int, kind: Normalization, prefix: String) throws {
        try requireShape(weight, [m], name: ModelWeightNames.norm(prefix, bias: false))
        let biasName = ModelWeightNames.norm(prefix, bias: true)
        switch (kind, bias) {
        case (.layerNorm, nil): throw ModelError.inconsistentLayers("\(biasName) is missing; layernorm needs a bias")
        case (.rmsNorm, .some): throw ModelError.inconsistentLayers("\(biasName) is set; rmsnorm has no bias")
        case (.layerNorm, .some(let bias)): try requireShape(bias, [m], name: biasName)
        case (.rmsNorm, nil): break
        }
    }
}

/// What a norm's backward pass needs: its input and the per-row statistics.
struct NormCache: Sendable {
    /// `[R, m]`.
    let input: Tensor<Float>
    /// `[R]` row means (LayerNorm; zeros for RMSNorm).
    let mean: Tensor<Float>
    /// `[R]` 1/√(variance + ε) (LayerNorm) or 1/√(mean square + ε) (RMSNorm).
    let reciprocalDeviation: Tensor<Float>
}

extension NormWeights {
    /// The norm of every row of x `[R, m]`. Single-threaded, O(R·m).
    func forward(_ x: Tensor<Float>, kind: Normalization, epsilon: Float) -> (output: Tensor<Float>, cache: NormCache) {
        let rows = x.matrixRows, columns = x.matrixColumns
        var output = Tensor<Float>(zeros: [rows, columns])
        var mean = Tensor<Float>(zeros: [rows]), rstd = Tensor<Float>(zeros: [rows])
        x.withUnsafeBufferPointer { x in
            weight.withUnsafeBufferPointer { gamma in
                output.withUnsafeMutableBufferPointer { y in
                    mean.withUnsafeMutableBufferPointer { mean in
                        rstd.withUnsafeMutableBufferPointer { rstd in
                            switch kind {
                            case .layerNorm:
                                bias!.withUnsafeBufferPointer { beta in
                                    layerNormForward(x.baseAddress!, gamma: gamma.baseAddress!, beta: beta.baseAddress!,
                                                     epsilon: epsilon, rows: rows, columns: columns, output: y.baseAddress!,
                                                     mean: mean.baseAddress!, rstd: rstd.baseAddress!)
                                }
                            case .rmsNorm:
                                rmsNormForward(x.baseAddress!, gamma: gamma.baseAddress!, epsilon: epsilon, rows: rows,
                                               columns: columns, output: y.baseAddress!, rstd: rstd.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        return (output, NormCache(input: x, mean: mean, reciprocalDeviation: rstd))
    }

    /// ∂loss/∂input `[R, m]` and the gradients of γ (and β) from ∂loss/∂output. Single-threaded, O(R·m).
    func backward(_ cache: NormCache, gradOutput: Tensor<Float>, kind: Normalization) -> (input: Tensor<Float>, weights: NormWeights) {
        let rows = cache.input.matrixRows, columns = cache.input.matrixColumns
        var gradInput = Tensor<Float>(zeros: [rows, columns])
        var gradWeight = Tensor<Float>(zeros: [columns]), gradBias = Tensor<Float>(zeros: [columns])
        gradOutput.withUnsafeBufferPointer { dy in
            cache.input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { gamma in
                    cache.mean.withUnsafeBufferPointer { mean in
                        cache.reciprocalDeviation.withUnsafeBufferPointer { rstd in
                            gradInput.withUnsafeMutableBufferPointer { dx in
                                gradWeight.withUnsafeMutableBufferPointer { dgamma in
                                    gradBias.withUnsafeMutableBufferPointer { dbeta in
                                        switch kind {
                                        case .layerNorm:
                                            layerNormBackward(
                                                dy.baseAddress!, x: x.baseAddress!, gamma: gamma.baseAddress!,
                                                mean: mean.baseAddress!, rstd: rstd.baseAddress!, rows: rows, columns: columns,
                                                dx: dx.baseAddress!, dgamma: dgamma.baseAddress!, dbeta: dbeta.baseAddress!)
                                        case .rmsNorm:
                                            rmsNormBackward(
                                                dy.baseAddress!, x: x.baseAddress!, gamma: gamma.baseAddress!,
                                                rstd: rstd.baseAddress!, rows: rows, columns: columns,
                                                dx: dx.baseAddress!, dgamma: dgamma.baseAddress!)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (gradInput, NormWeights(weight: gradWeight, bias: kind == .layerNorm ? gradBias : nil))
    }
}
