import Kernels

/// `nystrom` (Xiong et al. 2021; mlpen/Nystromformer `LRA/code/attention_nystrom.py`), non-causal only:
/// with Q, K scaled by √scale each (D^{−1/4} by default, the paper's) and landmarks Q̃, K̃ `[m, D]` the means
/// of m contiguous segments of N/m tokens (m = `landmarks`, default 64, must divide N):
///
///     out = softmax(Q·K̃ᵀ) · pinv(softmax(Q̃·K̃ᵀ)) · softmax(Q̃·Kᵀ)·V,   pinv: `IterativeInverse` (6 steps).
///
/// Fast path (`NystromPass`): per-thread `smallGEMM`s over 96-row blocks, K₁ = softmax(Q·K̃ᵀ) formed and
/// multiplied by W = pinv(A)·K₃·V block by block while it is in L1, K₃ kept transposed `[N, m]` so its
/// products read it in place; the backward pass reuses K₁ and K₃ in two passes over the rows (eight
/// N·m·D products). Row blocks go to threads as `RowParts` items, so one head keeps both cores busy.
/// No depthwise convolution on V (the reference code's optional `conv_kernel_size`). State per head
/// 2·m·D floats; saved for the backward pass 2·N·m + O(m·(m + D)) floats per head. Cost per token
/// ≈ 8·m·D FLOPs plus 48·m³/N for the pseudo-inverse (backward ≈ 2×).
struct NystromMixer: TokenMixer {
    let descriptor: MixerDescription

    func stateBytes(n: Int, d: Int) -> Int { 2 * descriptor.landmarkCount * d * 4 }

    func flops(n: Int, d: Int) -> Double {
        let m = Double(descriptor.landmarkCount)
        return 8 * m * Double(d) + 48 * m * m * m / Double(n)
    }

    /// The landmark count if it divides N, else the error.
    static func checkedLandmarks(_ m: Int, length n: Int) throws -> Int {
        guard n % m == 0 else {
            throw MixerError.invalidParameter("landmarks \(m) do not divide the sequence length N = \(n)")
        }
        return m
    }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let (output, saved) = try pass(shape).forward(queries: queries, keys: keys, values: values)
        return MixerForward(output: output.reshaped(queries.shape), saved: saved.tensors)
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let grads = try pass(shape).backward(queries: queries, keys: keys, values: values,
                                             saved: NystromActivations(forward.saved), gradOutput: gradOutput)
        return MixerGradients(queries: grads.queries.reshaped(queries.shape), keys: grads.keys.reshaped(keys.shape),
                              values: grads.values.reshaped(values.shape))
    }

    /// The pass for this input shape, after checking that the landmarks divide N.
    func pass(_ shape: MixerShape) throws -> NystromPass {
        let m = try Self.checkedLandmarks(descriptor.landmarkCount, length: shape.length)
        return NystromPass(heads: shape.flatHeads, length: shape.length, landmarks: m, headDimension: shape.headDimension,
                           scale: descriptor.scale(headDimension: shape.headDimension))
    }
}
