import Kernels

/// A sequence mixer: a layer with its own parameters that maps a whole sequence of model-width vectors
/// X `[B, N, m]` (or `[N, m]`, read as B = 1) to Y of the same shape, each of the B sequences
/// independently and causally or not as the layer defines. Token mixers (`TokenMixer`) take Q, K, V per
/// head; a sequence mixer sits one level up and owns its projections, as the Mamba block does.
///
/// Legend: B batch, N tokens, m model width.
///
/// ```swift
/// let block = try MambaMixer(MambaConfiguration(modelWidth: 64, seed: 1))
/// let forward = try block.forward(x)                                   // forward.output [B, N, 64]
/// let grads = try block.backward(x, forward: forward, gradOutput: dY)  // grads.input [B, N, 64]
/// ```
public protocol SequenceMixer: Sendable {
    /// m: the width of every input and output vector.
    var modelWidth: Int { get }

    /// The output `[B, N, m]` and what `backward` needs. Throws `MixerError` for a bad shape.
    func forward(_ input: Tensor<Float>) throws -> SequenceMixerForward

    /// Gradients of a loss with respect to the input and every parameter, given ∂loss/∂output
    /// `gradOutput` `[B, N, m]`, for the input and the result of one `forward` call on it.
    func backward(_ input: Tensor<Float>, forward: SequenceMixerForward, gradOutput: Tensor<Float>) throws
        -> SequenceMixerGradients

    /// Bytes (float32) one sequence carries from token to token when run recurrently: its whole memory of
    /// the past, independent of N for the recurrent mixers.
    var stateBytes: Int { get }

    /// Forward FLOPs per token of the fast path at length `n`. Backward is about 2–3× this.
    func flops(n: Int) -> Double
}

/// The result of a sequence mixer's forward pass.
public struct SequenceMixerForward: Sendable {
    /// `[B, N, m]`, shaped like the input.
    public let output: Tensor<Float>
    /// What the backward pass reuses, mixer-specific.
    let saved: any Sendable

    init(output: Tensor<Float>, saved: any Sendable) {
        self.output = output
        self.saved = saved
    }
}

/// Gradients of one sequence-mixer call: to the input (shaped like it) and to each named parameter
/// (shaped like the parameter).
public struct SequenceMixerGradients: Sendable {
    public let input: Tensor<Float>
    public let parameters: [String: Tensor<Float>]

    init(input: Tensor<Float>, parameters: [String: Tensor<Float>]) {
        self.input = input
        self.parameters = parameters
    }
}

/// The sizes of one sequence-mixer call, checked once at the boundary: X `[B, N, m]` or `[N, m]`.
struct SequenceShape: Sendable, Equatable {
    let batch: Int
    let length: Int
    let width: Int

    /// B·N: the rows of every token-major matrix.
    var tokens: Int { batch * length }

    /// Checks `shape` against the mixer's width `m` (and the gradient of the output, if given).
    init(_ shape: [Int], width m: Int, gradOutput: [Int]? = nil) throws {
        guard shape.count == 2 || shape.count == 3 else {
            throw MixerError.mismatch("input has shape \(shape) (rank \(shape.count)); expected [B, N, \(m)] or [N, \(m)]")
        }
        guard shape.last == m else {
            throw MixerError.mismatch("input has shape \(shape); expected last dimension \(m) (the model width)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw MixerError.mismatch("empty dimension in input shape \(shape)")
        }
        if let gradOutput, gradOutput != shape {
            throw MixerError.mismatch("gradient of the output has shape \(gradOutput); expected \(shape)")
        }
        batch = shape.count == 3 ? shape[0] : 1
        length = shape[shape.count - 2]
        width = m
    }
}
