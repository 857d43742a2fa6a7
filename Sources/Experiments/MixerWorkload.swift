import Foundation
import Kernels
import Mixers

/// One mixer with its random N(0, 1) inputs, ready to run forward and backward: a token mixer on Q, K, V
/// `[1, H, N, D]`, or the Mamba block (seed 0, `mamba_simple.py` defaults) on X `[1, N, H·D]`.
/// Building costs the inputs' O(H·N·D) draws.
struct MixerWorkload {
    private enum Mixer {
        case token(any TokenMixer, q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>)
        case sequence(MambaMixer, x: Tensor<Float>)
    }

    private let mixer: Mixer
    private let gradOutput: Tensor<Float>
    /// FLOPs of one forward call (the mixer's own count).
    let forwardFLOPs: Double

    init(_ point: MixerScalingPoint, _ c: MixerScalingConfiguration) throws {
        let shape = [1, c.heads, point.n, c.headDimension]
        if let kind = point.mixer.tokenKind {
            let token = try c.descriptor(kind, causal: point.causal).makeMixer()
            mixer = .token(token, q: .normal(shape, seed: 1), k: .normal(shape, seed: 2), v: .normal(shape, seed: 3))
            gradOutput = .normal(shape, seed: 4)
            forwardFLOPs = token.flops(n: point.n, d: c.headDimension) * Double(point.n * c.heads)
        } else {
            let block = try MambaMixer(MambaConfiguration(modelWidth: c.heads * c.headDimension))
            mixer = .sequence(block, x: .normal([1, point.n, block.modelWidth], seed: 1))
            gradOutput = .normal([1, point.n, block.modelWidth], seed: 4)
            forwardFLOPs = block.flops(n: point.n) * Double(point.n)
        }
    }

    /// Runs the forward pass; returns what `backward` needs.
    func forward() throws -> any Sendable {
        switch mixer {
        case .token(let token, let q, let k, let v): try token.forward(queries: q, keys: k, values: v)
        case .sequence(let block, let x): try block.forward(x)
        }
    }

    /// Runs the backward pass for the result of `forward()`.
    func backward(_ saved: any Sendable) throws {
        switch mixer {
        case .token(let token, let q, let k, let v):
            let gradients = try token.backward(queries: q, keys: k, values: v, forward: saved as! MixerForward, gradOutput: gradOutput)
            blackHole(gradients.queries.withUnsafeBufferPointer { $0[0] })
        case .sequence(let block, let x):
            let gradients = try block.backward(x, forward: saved as! SequenceMixerForward, gradOutput: gradOutput)
            blackHole(gradients.input.withUnsafeBufferPointer { $0[0] })
        }
    }
}
