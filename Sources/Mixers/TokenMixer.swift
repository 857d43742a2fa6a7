import Attention
import Kernels

/// A token mixer: queries, keys and values `[B, H, N, D]` (or `[H, N, D]`) → output of the same shape,
/// each of the B·H heads independently. Exact softmax attention is one; the others trade fidelity for
/// time linear in N. Build one from a `MixerDescription` (`makeMixer()`).
///
/// ```swift
/// let mixer = try MixerDescription(kind: .linear, causal: true).makeMixer()
/// let forward = try mixer.forward(queries: q, keys: k, values: v)          // forward.output [B, H, N, D]
/// let grads = try mixer.backward(queries: q, keys: k, values: v, forward: forward, gradOutput: dO)
/// ```
public protocol TokenMixer: Sendable {
    /// What this mixer computes.
    var descriptor: MixerDescription { get }

    /// The output `[B, H, N, D]` and what `backward` needs. Throws `MixerError` for bad shapes or a
    /// description that does not fit them (e.g. landmarks that do not divide N).
    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward

    /// Gradients of a loss with respect to Q, K, V (and parameters) given ∂loss/∂output `gradOutput`,
    /// for the inputs and the result of one `forward` call.
    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward,
        gradOutput: Tensor<Float>
    ) throws -> MixerGradients

    /// Bytes of state one head carries for sequence length `n` and head dimension `d` (float32): the KV
    /// cache for exact attention, the w·d window, the feature state r·(d + 1) of kernel methods, ….
    func stateBytes(n: Int, d: Int) -> Int

    /// Forward FLOPs per token and head of the fast path at length `n`, head dimension `d`, as performed
    /// (chunked causal forms count their whole C×C intra-chunk products). Backward is about 2–3× this.
    func flops(n: Int, d: Int) -> Double
}

/// The result of a mixer's forward pass.
public struct MixerForward: Sendable {
    /// `[B, H, N, D]`, shaped like the queries.
    public let output: Tensor<Float>
    /// What the backward pass reuses (normalisers, drawn features, …), mixer-specific.
    let saved: [Tensor<Float>]
    /// The flash passes' results (output and log-sum-exp) for mixers built on exact attention.
    let attention: [AttentionResult]

    init(output: Tensor<Float>, saved: [Tensor<Float>] = [], attention: [AttentionResult] = []) {
        self.output = output
        self.saved = saved
        self.attention = attention
    }
}

/// Gradients of one mixer call: to Q, K, V (shaped like them) and to named parameters (Linformer's
/// `"E"`, `"F"`, `[k, N]`).
public struct MixerGradients: Sendable {
    public let queries: Tensor<Float>
    public let keys: Tensor<Float>
    public let values: Tensor<Float>
    public let parameters: [String: Tensor<Float>]

    init(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, parameters: [String: Tensor<Float>] = [:]) {
        self.queries = queries
        self.keys = keys
        self.values = values
        self.parameters = parameters
    }
}

extension TokenMixer {
    /// Validates the three inputs (and the gradient of the output, if given) for this mixer.
    func checkedShape(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, gradOutput: Tensor<Float>? = nil
    ) throws -> MixerShape {
        let shape = try MixerShape(queries: queries.shape, keys: keys.shape, values: values.shape)
        if let gradOutput, gradOutput.shape != queries.shape {
            throw MixerError.mismatch("gradient of the output has shape \(gradOutput.shape); expected \(queries.shape)")
        }
        return shape
    }
}
