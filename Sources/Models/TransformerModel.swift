import Foundation
import Formats
import Kernels

/// What both transformers offer: forward and backward passes on `[N, m]` or `[B, N, m]` inputs, a FLOP
/// count, named weights, and safetensors files (see `ModelWeightNames`). Generic code (benchmarks, tests)
/// works with either model through it.
public protocol TransformerModel: Sendable {
    /// What `backward` needs from `forwardWithCache`.
    associatedtype Cache: Sendable

    /// m, the embedding.
    var embedding: Int { get }
    /// Every weight with its safetensors name.
    var namedWeights: [(name: String, tensor: Tensor<Float>)] { get }
    /// Throws `ModelError` when the weights do not form a valid model.
    func validate() throws
    /// The model applied to `x`; the output has the input's shape.
    func forward(_ x: Tensor<Float>, threads: Int) throws -> Tensor<Float>
    /// `forward`, also returning the cache for `backward`.
    func forwardWithCache(_ x: Tensor<Float>, threads: Int) throws -> (output: Tensor<Float>, cache: Cache)
    /// ∂loss/∂input and ∂loss/∂weights (as a model of the same structure) from ∂loss/∂output.
    func backward(cache: Cache, gradOutput: Tensor<Float>, threads: Int) throws -> (input: Tensor<Float>, weights: Self)
    /// FLOPs of one forward pass on B sequences of N tokens.
    func forwardFLOPs(batch: Int, sequence: Int) -> Double
    /// The model as safetensors contents (float32 tensors plus metadata).
    func safeTensors() throws -> SafeTensors
    /// A model read from safetensors contents.
    init(safeTensors: SafeTensors) throws
}

extension TransformerModel {
    /// Writes the model to a safetensors file, atomically.
    /// - Throws: `ModelError` for an invalid model, `FormatError` (`.fileExists` unless `overwrite`, `.io`).
    public func save(to url: URL, overwrite: Bool = false) throws {
        try SafeTensorsFile.write(safeTensors(), to: url, overwrite: overwrite)
    }

    /// Reads a model from a safetensors file written by `save(to:overwrite:)`.
    /// - Throws: `FormatError` for an unreadable or corrupt file, `ModelError` for wrong contents.
    public static func load(from url: URL) throws -> Self {
        try Self(safeTensors: SafeTensorsFile.read(contentsOf: url))
    }
}

extension PaperTransformer: TransformerModel {}
extension StandardTransformer: TransformerModel {}
