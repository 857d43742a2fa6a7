/// A two-layer perceptron `act(x·W1 + b1)·W2 + b2`: the blocks' MLP, the continuous input embedding
/// (ReLU) and the regression head (GELU).
///
/// Shapes: x `[R, in]`, hidden `[R, f]`, y `[R, out]`. Cost: forward 2·R·f·(in + out) FLOPs, backward twice that.
final class MLPLayer {
    let first: LinearLayer
    let activation: ActivationLayer
    let second: LinearLayer

    /// Registers `{name}.fc1.*` and `{name}.fc2.*`.
    init(_ name: String, input: Int, hidden: Int, output: Int, activation: TrainingActivation, rows: Int,
         parameters: ParameterStore) {
        first = LinearLayer("\(name).fc1", input: input, output: hidden, rows: rows, parameters: parameters)
        self.activation = ActivationLayer(activation, width: hidden, rows: rows)
        second = LinearLayer("\(name).fc2", input: hidden, output: output, rows: rows, parameters: parameters)
    }

    var output: UnsafeMutablePointer<Float> { second.output.pointer }

    @discardableResult
    func forward(_ x: UnsafePointer<Float>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let hidden = activation.forward(first.forward(x, rows: rows, context), rows: rows)
        return second.forward(hidden, rows: rows, context)
    }

    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, rows: Int, _ context: StepContext, inputGradient: Bool = true)
        -> UnsafeMutablePointer<Float>?
    {
        let dHidden = second.backward(dy, rows: rows, context)!
        return first.backward(activation.backward(dHidden, rows: rows), rows: rows, context, inputGradient: inputGradient)
    }

    func reference(_ x: [Double], rows: Int, parameters: [Double]) -> [Double] {
        let hidden = activation.reference(first.reference(x, rows: rows, parameters: parameters))
        return second.reference(hidden, rows: rows, parameters: parameters)
    }
}
