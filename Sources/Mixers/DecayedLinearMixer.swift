import Foundation
import Kernels

/// `gla` and `retnet` (fla-org/flash-linear-attention `fla/ops/{gla,retention}/naive.py`), causal only:
///
///     S_t = diag(α_t)·S_{t−1} + k_tᵀ·v_t,   o_t = (scale·q_t)·S_t,   scale default 1/√D.
///
/// - RetNet: α_t = γ_h for every token and channel, γ_h = 1 − 2^{−5−h} for head h of H (no parameters).
/// - GLA: the decay is data-dependent per (token, key channel). This layer's parameterisation takes the
///   gate logits from the keys themselves, log α_t = logσ(k_t)/16 (16 is GLA's `gate_logit_normalizer`),
///   so the mixer stays a function of Q, K, V and its gradient flows into K through the gate as well.
///
/// Runs on `ChunkedLinearAttention` with the decay; the chunk (64, 16, 4 or 1 tokens) is the largest whose
/// summed log-decay stays above −80, so the e^{±b} split never overflows (down to log α ≈ −80 per token,
/// i.e. GLA keys above ≈ −1280). State per head D² floats; cost per token ≈ (C + 1)·2D + 4·D² FLOPs.
struct DecayedLinearMixer: TokenMixer {
    let descriptor: MixerDescription

    /// GLA's gate_logit_normalizer.
    static let gateNormalizer: Float = 16

    func stateBytes(n: Int, d: Int) -> Int { d * d * 4 }

    func flops(n: Int, d: Int) -> Double { ChunkedLinearAttention.flops(keyWidth: d, valueWidth: d, causal: true) }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let engine = engine(shape, keys: keys)
        var output = Tensor<Float>(zeros: queries.shape)
        withInputs(queries, keys, values, shape) { inputs in
            output.withUnsafeMutableBufferPointer { engine.forward(inputs, output: $0.baseAddress!) }
        }
        return MixerForward(output: output)
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let engine = engine(shape, keys: keys)
        var (dq, dk, dv) = (Tensor<Float>(zeros: queries.shape), Tensor<Float>(zeros: keys.shape), Tensor<Float>(zeros: values.shape))
        let gated = descriptor.kind == .gla
        var dLogDecay = Tensor<Float>(zeros: gated ? keys.shape : [0])
        withInputs(queries, keys, values, shape) { inputs in
            gradOutput.withUnsafeBufferPointer { dO in
                dq.withUnsafeMutableBufferPointer { dq in
                    dk.withUnsafeMutableBufferPointer { dk in
                        dv.withUnsafeMutableBufferPointer { dv in
                            dLogDecay.withUnsafeMutableBufferPointer { dg in
                                engine.backward(inputs, gradOutput: dO.baseAddress!, gradients: LinearAttentionGradients(
                                    q: dq.baseAddress!, k: dk.baseAddress!, v: dv.baseAddress!,
                                    logDecay: gated ? dg.baseAddress! : nil))
                            }
                        }
                    }
                }
            }
        }
        let scale = descriptor.scale(headDimension: shape.headDimension)
        dq.withUnsafeMutableBufferPointer { dq in
            zipLanes(dq.baseAddress!, dq.baseAddress!, into: dq.baseAddress!, count: dq.count) { x, _ in x * MixerVector(repeating: scale) }
        }
        if gated {
            // d log α / dk = σ(−k)/16, folded into dLogDecay, then added to dk.
            let normalizer = MixerVector(repeating: 1 / Self.gateNormalizer)
            keys.withUnsafeBufferPointer { k in
                dLogDecay.withUnsafeMutableBufferPointer { dg in
                    zipLanes(k.baseAddress!, dg.baseAddress!, into: dg.baseAddress!, count: dg.count) { k, dg in
                        dg * vectorSigmoid(-k) * normalizer
                    }
                    dk.withUnsafeMutableBufferPointer { dk in
                        zipLanes(dg.baseAddress!, dk.baseAddress!, into: dk.baseAddress!, count: dk.count) { $0 + $1 }
                    }
                }
            }
        }
        return MixerGradients(queries: dq, keys: dk, values: dv)
    }

    /// log γ_h `[B·H]` per flat head (RetNet).
    func retentionLogDecays(_ shape: MixerShape) -> [Float] {
        (0..<shape.flatHeads).map { Float(Foundation.log(Self.retentionDecay(head: $0 % shape.heads))) }
    }

    /// RetNet's γ_h = 1 − 2^{−5−h}.
    static func retentionDecay(head h: Int) -> Double { 1 - Foundation.pow(2, -5 - Double(h)) }

    /// The steepest per-token decay −min log α: −log γ_0 (RetNet) or softplus(−min k)/16 (GLA; logσ is
    /// increasing, so the smallest key gives the smallest log α). One pass over the keys for GLA.
    func steepestDecay(_ keys: Tensor<Float>) -> Float {
        guard descriptor.kind == .gla else { return -Float(Foundation.log(Self.retentionDecay(head: 0))) }
        let x = -Double(keys.withUnsafeBufferPointer { minimum($0) })
        return Float((Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))) / Double(Self.gateNormalizer))
    }

    /// The engine with the largest chunk (64, 16, 4, 1) whose summed decay stays above −80.
    func engine(_ shape: MixerShape, keys: Tensor<Float>) -> ChunkedLinearAttention {
        let steepest = steepestDecay(keys)
        let chunk = [64, 16, 4].first { Float($0) * steepest <= 80 } ?? 1
        return ChunkedLinearAttention(heads: shape.flatHeads, length: shape.length, keyWidth: shape.headDimension,
                                      valueWidth: shape.headDimension, causal: true, chunk: chunk)
    }

    /// The smallest element of x (0 when empty), a vector of running minima at a time.
    private func minimum(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let base = x.baseAddress else { return 0 }
        var lanes = MixerVector(repeating: .infinity), i = 0
        while i + mixerLanes <= x.count {
            let v = base.vector(at: i)
            lanes = lanes.replacing(with: v, where: v .< lanes)
            i += mixerLanes
        }
        return x[i...].reduce(lanes.min(), Swift.min)
    }

    /// The engine's inputs: q, k, v as given, the query scale and the decay (GLA's gate or RetNet's log γ_h)
    /// left to the engine, which computes them per chunk.
    private func withInputs(
        _ q: Tensor<Float>, _ k: Tensor<Float>, _ v: Tensor<Float>, _ shape: MixerShape,
        _ body: (LinearAttentionInputs) -> Void
    ) {
        let scale = descriptor.scale(headDimension: shape.headDimension)
        let logGammas = descriptor.kind == .gla ? [] : retentionLogDecays(shape)
        q.withUnsafeBufferPointer { q in
            k.withUnsafeBufferPointer { k in
                v.withUnsafeBufferPointer { v in
                    logGammas.withUnsafeBufferPointer { lambda in
                        let source: LogDecay.Source = descriptor.kind == .gla
                            ? .keyGate(normalizer: Self.gateNormalizer) : .perHead(lambda.baseAddress!)
                        body(LinearAttentionInputs(q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!,
                                                   logDecay: LogDecay(source, queryScale: scale)))
                    }
                }
            }
        }
    }
}
