/// A layer from a sequence `[B, N, m]` to a sequence `[B, N, m]` (B examples of N tokens, width m): the
/// token mixers and the blocks' MLPs, which `ResidualUnit` wraps with norms and residuals.
///
/// `forward` keeps what `backward` needs in the layer's own buffers (sized for the replica's batch at
/// construction); `backward` adds the parameter gradients to `context.gradients` and returns dx.
/// `reference` is the layer's Float64 forward pass for gradient checks.
protocol SequenceLayer: AnyObject {
    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float>
    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float>
    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double]
}

/// The blocks' position-wise MLP as a `SequenceLayer`.
final class FeedForwardLayer: SequenceLayer {
    let mlp: MLPLayer
    let length: Int

    init(_ name: String, width: Int, hidden: Int, activation: TrainingActivation, length: Int, batch: Int,
         parameters: ParameterStore) {
        self.length = length
        mlp = MLPLayer(name, input: width, hidden: hidden, output: width, activation: activation, rows: batch * length,
                       parameters: parameters)
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        mlp.forward(x, rows: batch * length, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        mlp.backward(dy, rows: batch * length, context)!
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        mlp.reference(x, rows: batch * length, parameters: parameters)
    }
}
