import Kernels

/// What one Mamba forward pass keeps for its backward pass: token-major matrices over the T = B·N tokens
/// (E = d_inner, S = d_state, R = dt_rank). 7·E + R + 2S floats per token; nothing of size N·E·S (the
/// backward pass recomputes the scan's states).
final class MambaActivations: Sendable {
    let shape: SequenceShape
    let configuration: MambaConfiguration
    /// `[T, 2E]`: in_proj's output, x | z.
    let xz: TensorStorage<Float>
    /// `[T, E]`: the convolution before SiLU.
    let pre: TensorStorage<Float>
    /// `[T, E]`: u = silu(pre), the scan's input.
    let u: TensorStorage<Float>
    /// `[T, R + 2S]`: x_proj's output, δ_low | B | C.
    let projected: TensorStorage<Float>
    /// `[T, E]`: dt_proj(δ_low) + bias, before the softplus.
    let preDelta: TensorStorage<Float>
    /// `[T, E]`: δ = softplus(preDelta).
    let delta: TensorStorage<Float>
    /// `[T, E]`: the scan's output before the gate.
    let y: TensorStorage<Float>
    /// `[T, E]`: y·silu(z), out_proj's input.
    let gated: TensorStorage<Float>

    init(_ shape: SequenceShape, _ c: MambaConfiguration) {
        let (t, e) = (shape.tokens, c.innerWidth)
        self.shape = shape
        configuration = c
        xz = TensorStorage(count: t * 2 * e)
        pre = TensorStorage(count: t * e)
        u = TensorStorage(count: t * e)
        projected = TensorStorage(count: t * c.projectedWidth)
        preDelta = TensorStorage(count: t * e)
        delta = TensorStorage(count: t * e)
        y = TensorStorage(count: t * e)
        gated = TensorStorage(count: t * e)
    }
}

extension Tensor where Scalar == Float {
    /// A tensor of `shape` holding a copy of the floats at `source`.
    init(shape: [Int], copying source: UnsafePointer<Float>) {
        self.init(zeros: shape)
        withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: source, count: $0.count) }
    }
}
