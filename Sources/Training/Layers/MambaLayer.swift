import Kernels
import Mixers

/// A Mamba block (`Mixers.MambaMixer`) as a block's mixer: it owns its projections, so it replaces both
/// the Q/K/V/O projections and the token mixer. Its parameters live in the `ParameterStore` as
/// `{name}.in_proj.weight`, `{name}.A_log`, … (the `MambaParameter` names, contiguous in that order),
/// initialised as `MambaParameters(configuration)` draws them; matrices and the convolution decay,
/// biases, A_log and D do not (as in `mamba_simple.py`).
///
/// Shapes: x `[B, N, m]` → y `[B, N, m]`, causal. Cost: `MambaMixer.flops(n:)` per token forward,
/// ≈ 2–3× backward; the block allocates its activations and gradients per call.
final class MambaLayer: SequenceLayer {
    let configuration: MambaConfiguration
    let length: Int
    /// First element of the block's parameters in the store; `count` elements follow.
    private let offset: Int
    private let count: Int
    private var last: (input: Tensor<Float>, mixer: MambaMixer, forward: SequenceMixerForward)?
    /// `[B, N, m]`.
    private let output: FloatBuffer
    private let gradInput: FloatBuffer

    init(_ name: String, configuration: MambaConfiguration, length: Int, batch: Int, parameters: ParameterStore) {
        self.configuration = configuration
        self.length = length
        let initial = try! MambaParameters(configuration)
        let decayed: Set<MambaParameter> = [.inProjection, .convolutionWeight, .xProjection, .dtProjection, .outProjection]
        let offsets = MambaParameter.allCases.map { p in
            parameters.register("\(name).\(p.rawValue)", shape: p.shape(configuration), decays: decayed.contains(p),
                                initializer: .values(initial[p].elements))
        }
        offset = offsets[0]
        count = initial.values.count
        precondition(offsets.last! + MambaParameter.allCases.last!.shape(configuration).reduce(1, *) == offset + count,
                     "Mamba parameters registered apart")
        output = FloatBuffer(count: batch * length * configuration.modelWidth)
        gradInput = FloatBuffer(count: batch * length * configuration.modelWidth)
    }

    private func tensor(_ x: UnsafePointer<Float>, batch: Int) -> Tensor<Float> {
        let shape = [batch, length, configuration.modelWidth]
        return Tensor(shape: shape, elements: Array(UnsafeBufferPointer(start: x, count: shape.reduce(1, *))))
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let values = Tensor(shape: [count], elements: Array(UnsafeBufferPointer(start: context.values + offset, count: count)))
        let mixer = MambaMixer(parameters: try! MambaParameters(configuration, values: values))
        let input = tensor(x, batch: batch)
        let result = try! mixer.forward(input)
        last = (input, mixer, result)
        result.output.withUnsafeBufferPointer { output.pointer.update(from: $0.baseAddress!, count: $0.count) }
        return output.pointer
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        guard let last else { preconditionFailure("backward before forward") }
        let gradients = try! last.mixer.backward(last.input, forward: last.forward, gradOutput: tensor(dy, batch: batch))
        var start = offset
        for p in MambaParameter.allCases {
            gradients.parameters[p.rawValue]!.withUnsafeBufferPointer { g in
                for i in g.indices { context.gradients[start + i] += g[i] }
                start += g.count
            }
        }
        gradients.input.withUnsafeBufferPointer { gradInput.pointer.update(from: $0.baseAddress!, count: $0.count) }
        return gradInput.pointer
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        try! MambaReference.output(
            configuration, parameters: Tensor(shape: [count], elements: Array(parameters[offset..<(offset + count)])),
            input: Tensor(shape: [batch, length, configuration.modelWidth], elements: x)).elements
    }
}
