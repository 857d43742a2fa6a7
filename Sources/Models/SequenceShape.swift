import Kernels

/// The shape of a model's activations: `[N, m]` (one sequence) or `[B, N, m]` (a batch), N, B ≥ 1.
/// Inside the models they are `[B·N, m]` matrices.
struct SequenceShape: Sendable, Equatable {
    let batch: Int, sequence: Int, embedding: Int
    /// The shape the caller used (rank 2 or 3), restored on outputs and input gradients.
    let original: [Int]

    /// Rows of the matrix view, B·N.
    var rows: Int { batch * sequence }

    /// Checks that `shape` is `[N, m]` or `[B, N, m]` with the model's m; `name` says what it is in errors.
    init(validating shape: [Int], embedding: Int, name: String) throws {
        guard (shape.count == 2 || shape.count == 3), shape.last == embedding, shape.allSatisfy({ $0 >= 1 }) else {
            throw ModelError.inputShape(name: name, expected: "[N, \(embedding)] or [B, N, \(embedding)] with N, B ≥ 1",
                                        actual: shape)
        }
        batch = shape.count == 3 ? shape[0] : 1
        sequence = shape[shape.count - 2]
        self.embedding = embedding
        original = shape
    }

    /// Throws `ModelError.inputShape` unless `gradOutput` has the shape of the output (the input's shape).
    func requireGradient(_ gradOutput: Tensor<Float>) throws {
        guard gradOutput.shape == original else {
            throw ModelError.inputShape(name: "gradient of the output", expected: "\(original), the output's shape",
                                        actual: gradOutput.shape)
        }
    }
}
