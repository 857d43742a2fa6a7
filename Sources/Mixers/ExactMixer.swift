import Attention
import Kernels

/// `exact` and `window`: softmax(scale·QKᵀ + mask)·V on the flash engine (`scaledDotProductAttention`),
/// with `.causal` / `.none`, or `.slidingWindow(w)` (keys i − w < j ≤ i) for `window`.
/// State per head: the KV cache 2·N·D floats (window: 2·w·D). Cost per token 4·N·D FLOPs (causal half,
/// window 4·w·D); the window's time is linear in N.
struct ExactMixer: TokenMixer {
    let descriptor: MixerDescription

    var mask: AttentionMask {
        if descriptor.kind == .window, let w = descriptor.window { return .slidingWindow(w) }
        return descriptor.causal ? .causal : .none
    }

    func stateBytes(n: Int, d: Int) -> Int { 2 * min(n, descriptor.window ?? n) * d * 4 }

    func flops(n: Int, d: Int) -> Double {
        if descriptor.kind == .window, let w = descriptor.window {
            // Mean visible keys: (w + 1)/2 … w; count what the flash kernel's window covers, ≈ w per token.
            return 4 * Double(min(w, n) * d)
        }
        return 4 * Double(n * d) * (descriptor.causal ? 0.5 : 1)
    }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        guard shape.headDimension <= 256 else {
            throw MixerError.mismatch("head dimension \(shape.headDimension) is above the supported 256")
        }
        let result = try scaledDotProductAttention(
            queries: queries, keys: keys, values: values, mask: mask, scale: descriptor.scale(headDimension: shape.headDimension))
        return MixerForward(output: result.output, attention: [result])
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let grads = try scaledDotProductAttentionBackward(
            queries: queries, keys: keys, values: values,
            forward: forward.attention[0],
            gradOutput: gradOutput, mask: mask, scale: descriptor.scale(headDimension: shape.headDimension))
        return MixerGradients(queries: grads.queries, keys: grads.keys, values: grads.values)
    }
}
