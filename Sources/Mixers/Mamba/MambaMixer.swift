import Foundation
import Kernels

/// The Mamba block (Gu & Dao 2023; state-spaces/mamba `mamba_ssm/modules/mamba_simple.py`) as a
/// `SequenceMixer`: X `[B, N, m]` → Y `[B, N, m]`, causal. With E = expand·m, S = d_state, R = dt_rank,
/// K = d_conv, per sequence:
///
///     x | z = X·W_inᵀ                              [N, 2E]
///     u = silu(causal depthwise conv_K(x) + b)     [N, E]
///     δ_low | B | C = u·W_xᵀ                       [N, R + 2S]
///     δ = softplus(δ_low·W_dtᵀ + dt_bias)          [N, E]
///     y = selective scan(u, δ, A = −exp(A_log), B, C, D)  (`SelectiveScan`)
///     Y = (y·silu(z))·W_outᵀ                       [N, m]
///
/// Fast path in Float32: the four projections are GEMMs over all B·N tokens, the convolution and the scan
/// run vectorised over channels and in parallel over batch × channel blocks; time linear in N.
/// Cost per token (`flops(n:)`): 2·(2E·m + E·(R + 2S) + R·E + E·m) for the projections, 2K·E for the
/// convolution, ≈ 7·E·S for the scan (S exponentials per channel). State per sequence: E·S (scan) +
/// E·(K − 1) (convolution) floats. The Float64 reference from the formulas is `MambaReference`.
public struct MambaMixer: SequenceMixer {
    public var parameters: MambaParameters

    /// A block with the seeded initialisation of `configuration` (`MambaParameters.init(_:)`).
    public init(_ configuration: MambaConfiguration) throws {
        parameters = try MambaParameters(configuration)
    }

    /// A block with given parameters.
    public init(parameters: MambaParameters) {
        self.parameters = parameters
    }

    public var configuration: MambaConfiguration { parameters.configuration }
    public var modelWidth: Int { configuration.modelWidth }

    public var stateBytes: Int {
        let c = configuration
        return 4 * c.innerWidth * (c.stateSize + c.convolutionWidth - 1)
    }

    public func flops(n: Int) -> Double {
        let c = configuration
        let (m, e, s, r, k) = (c.modelWidth, c.innerWidth, c.stateSize, c.rank, c.convolutionWidth)
        let projections = 2 * (2 * e * m + e * (r + 2 * s) + r * e + e * m)
        return Double(projections + 2 * k * e + 7 * e * s)
    }

    public func forward(_ input: Tensor<Float>) throws -> SequenceMixerForward {
        let shape = try SequenceShape(input.shape, width: modelWidth)
        let c = configuration
        let (t, m, e, r, p) = (shape.tokens, c.modelWidth, c.innerWidth, c.rank, c.projectedWidth)
        let saved = MambaActivations(shape, c)
        let output = TensorStorage<Float>(count: t * m)
        input.withUnsafeBufferPointer { x in
            parameters.values.withUnsafeBufferPointer { values in
                let w = weights(values.baseAddress!)
                gemm(transposeB: true, m: t, n: 2 * e, k: m, a: x.baseAddress!, lda: m,
                     b: w(.inProjection), ldb: m, c: saved.xz.pointer, ldc: 2 * e)
                convolution(shape, w).forward(x: saved.xz.pointer, xStride: 2 * e, pre: saved.pre.pointer, u: saved.u.pointer)
                gemm(transposeB: true, m: t, n: p, k: e, a: saved.u.pointer, lda: e,
                     b: w(.xProjection), ldb: e, c: saved.projected.pointer, ldc: p)
                gemm(transposeB: true, m: t, n: e, k: r, a: saved.projected.pointer, lda: p,
                     b: w(.dtProjection), ldb: r, c: saved.preDelta.pointer, ldc: e)
                addBiasAndSoftplus(pre: saved.preDelta.pointer, bias: w(.dtBias), delta: saved.delta.pointer, rows: t, columns: e)
                let a = stateMatrix(w(.aLog))
                a.withUnsafeBufferPointer { a in
                    scan(shape, saved, w, a.baseAddress!).forward(y: saved.y.pointer, gated: saved.gated.pointer)
                }
                gemm(transposeB: true, m: t, n: m, k: e, a: saved.gated.pointer, lda: e,
                     b: w(.outProjection), ldb: e, c: output.pointer, ldc: m)
            }
        }
        return SequenceMixerForward(output: Tensor(shape: input.shape, copying: output.pointer), saved: saved)
    }

    public func backward(_ input: Tensor<Float>, forward: SequenceMixerForward, gradOutput: Tensor<Float>) throws
        -> SequenceMixerGradients
    {
        let shape = try SequenceShape(input.shape, width: modelWidth, gradOutput: gradOutput.shape)
        guard let saved = forward.saved as? MambaActivations, saved.shape == shape, saved.configuration == configuration else {
            throw MixerError.mismatch("the forward result is not this Mamba block's forward pass on an input of shape \(input.shape)")
        }
        let c = configuration
        let (t, m, e, r, p) = (shape.tokens, c.modelWidth, c.innerWidth, c.rank, c.projectedWidth)
        let layout = parameters.layout
        let gradients = TensorStorage<Float>(count: layout.count)
        let gradInput = TensorStorage<Float>(count: t * m)
        let (gradXZ, gradGated, gradU) = (TensorStorage<Float>(count: t * 2 * e), TensorStorage<Float>(count: t * e), TensorStorage<Float>(count: t * e))
        let (gradPreDelta, gradProjected) = (TensorStorage<Float>(count: t * e), TensorStorage<Float>(count: t * p))
        input.withUnsafeBufferPointer { x in
            gradOutput.withUnsafeBufferPointer { gy in
                parameters.values.withUnsafeBufferPointer { values in
                    let (w, dy) = (weights(values.baseAddress!), gy.baseAddress!)
                    let g = { (q: MambaParameter) in gradients.pointer + layout.offsets[q]! }
                    // out_proj: ∂gated = ∂Y·W_out, ∂W_out = ∂Yᵀ·gated.
                    gemm(m: t, n: e, k: m, a: dy, lda: m, b: w(.outProjection), ldb: e, c: gradGated.pointer, ldc: e)
                    gemm(transposeA: true, m: m, n: e, k: t, a: dy, lda: m, b: saved.gated.pointer, ldb: e,
                         c: g(.outProjection), ldc: e)
                    // Gate and scan, in reverse.
                    let a = stateMatrix(w(.aLog))
                    a.withUnsafeBufferPointer { a in
                        scan(shape, saved, w, a.baseAddress!).backward(
                            gradGated: gradGated.pointer, y: saved.y.pointer, preDelta: saved.preDelta.pointer,
                            into: SelectiveScanGradients(
                                u: gradU.pointer, preDelta: gradPreDelta.pointer, z: gradXZ.pointer + e,
                                projected: gradProjected.pointer, aLog: g(.aLog), skip: g(.skip), bias: g(.dtBias)))
                    }
                    // dt_proj: ∂W_dt = ∂preDeltaᵀ·δ_low, ∂δ_low = ∂preDelta·W_dt.
                    gemm(transposeA: true, m: e, n: r, k: t, a: gradPreDelta.pointer, lda: e, b: saved.projected.pointer,
                         ldb: p, c: g(.dtProjection), ldc: r)
                    gemm(m: t, n: r, k: e, a: gradPreDelta.pointer, lda: e, b: w(.dtProjection), ldb: r,
                         c: gradProjected.pointer, ldc: p)
                    // x_proj: ∂W_x = ∂projectedᵀ·u, ∂u += ∂projected·W_x.
                    gemm(transposeA: true, m: p, n: e, k: t, a: gradProjected.pointer, lda: p, b: saved.u.pointer,
                         ldb: e, c: g(.xProjection), ldc: e)
                    gemm(m: t, n: e, k: p, a: gradProjected.pointer, lda: p, b: w(.xProjection), ldb: e,
                         beta: 1, c: gradU.pointer, ldc: e)
                    convolution(shape, w).backward(
                        gradU: gradU.pointer, pre: saved.pre.pointer, x: saved.xz.pointer, xStride: 2 * e,
                        gradX: gradXZ.pointer, gradXStride: 2 * e, gradWeight: g(.convolutionWeight),
                        gradBias: g(.convolutionBias))
                    // in_proj: ∂W_in = ∂xzᵀ·X, ∂X = ∂xz·W_in.
                    gemm(transposeA: true, m: 2 * e, n: m, k: t, a: gradXZ.pointer, lda: 2 * e, b: x.baseAddress!,
                         ldb: m, c: g(.inProjection), ldc: m)
                    gemm(m: t, n: m, k: 2 * e, a: gradXZ.pointer, lda: 2 * e, b: w(.inProjection), ldb: m,
                         c: gradInput.pointer, ldc: m)
                }
            }
        }
        let flat = Tensor(shape: [layout.count], copying: gradients.pointer)
        return SequenceMixerGradients(input: Tensor(shape: input.shape, copying: gradInput.pointer),
                                      parameters: parameters.named(flat))
    }

    /// Each parameter's first element within the flat vector at `base`.
    private func weights(_ base: UnsafePointer<Float>) -> (MambaParameter) -> UnsafePointer<Float> {
        let layout = parameters.layout
        return { base + layout.offsets[$0]! }
    }

    /// A = −exp(A_log), transposed to `[S, E]` so a block of channels is one load per state.
    private func stateMatrix(_ aLog: UnsafePointer<Float>) -> [Float] {
        let (e, s) = (configuration.innerWidth, configuration.stateSize)
        var a = [Float](repeating: 0, count: s * e)
        for channel in 0..<e {
            for state in 0..<s { a[state * e + channel] = -Foundation.exp(aLog[channel * s + state]) }
        }
        return a
    }

    private func convolution(_ shape: SequenceShape, _ w: (MambaParameter) -> UnsafePointer<Float>) -> CausalConvolution {
        CausalConvolution(batch: shape.batch, length: shape.length, channels: configuration.innerWidth,
                          width: configuration.convolutionWidth, weight: w(.convolutionWeight), bias: w(.convolutionBias))
    }

    private func scan(
        _ shape: SequenceShape, _ saved: MambaActivations, _ w: (MambaParameter) -> UnsafePointer<Float>,
        _ a: UnsafePointer<Float>
    ) -> SelectiveScan {
        let c = configuration
        return SelectiveScan(
            batch: shape.batch, length: shape.length, channels: c.innerWidth, states: c.stateSize, rank: c.rank,
            u: saved.u.pointer, delta: saved.delta.pointer, projected: saved.projected.pointer,
            z: saved.xz.pointer + c.innerWidth, aByState: a, skip: w(.skip))
    }
}
