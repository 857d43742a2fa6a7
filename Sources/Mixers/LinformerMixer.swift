import Attention
import Kernels

/// Linformer's sequence projections (Wang et al. 2020): E, F ∈ R^{k×N}, shared by all heads.
public struct LinformerProjections: Sendable, Equatable {
    /// E `[k, N]`, applied to the keys.
    public var keys: Tensor<Float>
    /// F `[k, N]`, applied to the values.
    public var values: Tensor<Float>

    public init(keys: Tensor<Float>, values: Tensor<Float>) {
        self.keys = keys
        self.values = values
    }

    /// Fixed random projections with entries N(0, 1/k), E then F from one stream of `seed`.
    public static func random(rows k: Int, length n: Int, seed: UInt64) -> LinformerProjections {
        var generator = SeededGenerator(seed: seed)
        let std = 1 / Double(k).squareRoot()
        func draw() -> Tensor<Float> {
            Tensor(shape: [k, n], elements: (0..<(k * n)).map { _ in Float(std * generator.nextNormal()) })
        }
        let e = draw()
        return LinformerProjections(keys: e, values: draw())
    }
}

/// `linformer`, non-causal only: softmax(scale·Q·(E·K)ᵀ)·(F·V) per head, E, F `[k, N]` (k = `features`,
/// default 256). Without `projections` the mixer uses `LinformerProjections.random(k, N, seed)` for the
/// input's N (the fixed random projections of the fidelity study: constants, so no gradients for them); set
/// them for training, and read their gradients from `MixerGradients.parameters["E"]`, `["F"]` (`[k, N]`,
/// returned exactly when `projections` is set).
/// Fast path: the projections as GEMMs (2·2·k·N·D FLOPs per head), then the flash engine over k keys.
/// State per head 2·k·D floats; cost per token 4·k·D (projections) + 4·k·D (attention).
public struct LinformerMixer: TokenMixer {
    public let descriptor: MixerDescription
    public var projections: LinformerProjections?
    /// The random projections per N, drawn once.
    private let randomProjections = DrawCache<LinformerProjections>()
    /// Their transposes per N, for the backward pass.
    private let transposedRandomProjections = DrawCache<(Tensor<Float>, Tensor<Float>)>()

    public init(descriptor: MixerDescription, projections: LinformerProjections? = nil) {
        self.descriptor = descriptor
        self.projections = projections
    }

    public func stateBytes(n: Int, d: Int) -> Int { 2 * descriptor.featureCount * d * 4 }

    public func flops(n: Int, d: Int) -> Double { Double(8 * descriptor.featureCount * d) }

    func resolvedProjections(_ shape: MixerShape) throws -> LinformerProjections {
        let k = descriptor.featureCount
        guard let projections else {
            return randomProjections.value(shape.length) { .random(rows: k, length: shape.length, seed: descriptor.seed) }
        }
        guard projections.keys.shape == [k, shape.length], projections.values.shape == [k, shape.length] else {
            throw MixerError.mismatch(
                "Linformer projections are \(projections.keys.shape) and \(projections.values.shape); expected [\(k), \(shape.length)] for N = \(shape.length)")
        }
        return projections
    }

    public func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let p = try resolvedProjections(shape)
        let (projectedKeys, projectedValues) = (project(p.keys, keys, shape), project(p.values, values, shape))
        let flat = [1, shape.flatHeads, shape.length, shape.headDimension]
        let result = try scaledDotProductAttention(
            queries: queries.reshaped(flat), keys: projectedKeys, values: projectedValues,
            scale: descriptor.scale(headDimension: shape.headDimension))
        return MixerForward(output: result.output.reshaped(queries.shape), saved: [projectedKeys, projectedValues],
                            attention: [result])
    }

    public func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let p = try resolvedProjections(shape)
        let flat = [1, shape.flatHeads, shape.length, shape.headDimension]
        let grads = try scaledDotProductAttentionBackward(
            queries: queries.reshaped(flat), keys: forward.saved[0], values: forward.saved[1], forward: forward.attention[0],
            gradOutput: gradOutput.reshaped(flat), scale: descriptor.scale(headDimension: shape.headDimension))
        let (keysT, valuesT) = transposedProjections(p, shape)
        let (dk, dv) = (unproject(keysT, grads.keys, shape), unproject(valuesT, grads.values, shape))
        var parameters: [String: Tensor<Float>] = [:]
        if projections != nil {
            parameters = ["E": projectionGradient(keys, grads.keys, shape), "F": projectionGradient(values, grads.values, shape)]
        }
        return MixerGradients(queries: grads.queries.reshaped(queries.shape), keys: dk.reshaped(keys.shape),
                              values: dv.reshaped(values.shape), parameters: parameters)
    }

    /// P·X per head: P `[k, N]`, X `[B·H, N, D]` → `[1, B·H, k, D]`.
    func project(_ p: Tensor<Float>, _ x: Tensor<Float>, _ shape: MixerShape) -> Tensor<Float> {
        let (k, n, d) = (p.shape[0], shape.length, shape.headDimension)
        var out = Tensor<Float>(zeros: [1, shape.flatHeads, k, d])
        p.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    batchedGEMM(count: shape.flatHeads, m: k, n: d, k: n, a: p.baseAddress!, lda: n, strideA: 0,
                                b: x.baseAddress!, ldb: d, strideB: n * d, c: out.baseAddress!, ldc: d, strideC: k * d)
                }
            }
        }
        return out
    }

    /// Eᵀ and Fᵀ `[1, N, k]`, so that `unproject` multiplies untransposed operands (a transposed one is packed
    /// element by element); made once per N for the random projections, per call for set ones.
    func transposedProjections(_ p: LinformerProjections, _ shape: MixerShape) -> (Tensor<Float>, Tensor<Float>) {
        let (k, n) = (descriptor.featureCount, shape.length)
        let one = HeadProducts(heads: 1)
        let make = { (one.transposed(p.keys, rows: k, columns: n), one.transposed(p.values, rows: k, columns: n)) }
        return projections == nil ? transposedRandomProjections.value(n, make) : make()
    }

    /// dX = Pᵀ·dY per head for Y = P·X, given Pᵀ `[1, N, k]` and dY `[B·H, k, D]` → `[B·H, N, D]`.
    /// Cost 2·k·N·D per head.
    func unproject(_ pT: Tensor<Float>, _ gradY: Tensor<Float>, _ shape: MixerShape) -> Tensor<Float> {
        let (k, n, d) = (pT.shape[2], shape.length, shape.headDimension)  // Pᵀ is [1, N, k]
        var dx = Tensor<Float>(zeros: [shape.flatHeads, n, d])
        pT.withUnsafeBufferPointer { p in
            gradY.withUnsafeBufferPointer { dy in
                dx.withUnsafeMutableBufferPointer { dx in
                    batchedGEMM(count: shape.flatHeads, m: n, n: d, k: k, a: p.baseAddress!, lda: k,
                                strideA: 0, b: dy.baseAddress!, ldb: d, strideB: k * d, c: dx.baseAddress!, ldc: d,
                                strideC: n * d)
                }
            }
        }
        return dx
    }

    /// dP = Σ_heads dY·Xᵀ `[k, N]` for Y = P·X per head, X `[B·H, N, D]`, dY `[B·H, k, D]`. Cost 2·k·N·D per head.
    func projectionGradient(_ x: Tensor<Float>, _ gradY: Tensor<Float>, _ shape: MixerShape) -> Tensor<Float> {
        let (k, n, d) = (gradY.count / (shape.flatHeads * shape.headDimension), shape.length, shape.headDimension)
        var dp = Tensor<Float>(zeros: [k, n])
        x.withUnsafeBufferPointer { x in
            gradY.withUnsafeBufferPointer { dy in
                dp.withUnsafeMutableBufferPointer { dp in
                    for g in 0..<shape.flatHeads {
                        gemm(transposeB: true, m: k, n: n, k: d, a: dy.baseAddress! + g * k * d, lda: d,
                             b: x.baseAddress! + g * n * d, ldb: d, beta: g == 0 ? 0 : 1, c: dp.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return dp
    }
}
