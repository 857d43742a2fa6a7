import Kernels

/// Which normalisation a model's norms use.
public enum NormKind: String, Codable, Sendable, CaseIterable {
    /// γ·(x − mean)/√(var + ε) + β.
    case layerNorm = "layernorm"
    /// γ·x/√(mean(x²) + ε).
    case rmsNorm = "rmsnorm"
}

/// LayerNorm or RMSNorm over the last dimension, through the Kernels' row kernels.
///
/// Shapes: x, y `[R, m]`; γ (and β for LayerNorm) `[m]`, initialised to 1 (and 0). ε = 1e−5 (PyTorch).
/// Cost: a few passes over x forward and over (x, dy) backward, O(R·m). Single-threaded per replica.
final class NormLayer {
    static let epsilon: Float = 1e-5
    let kind: NormKind
    let width: Int
    let gain: Int
    let shift: Int?
    let output: FloatBuffer
    let gradInput: FloatBuffer
    private let mean: FloatBuffer
    private let rstd: FloatBuffer
    private var input: UnsafePointer<Float>?

    /// Registers `{name}.weight` (and `{name}.bias` for LayerNorm).
    init(_ name: String, kind: NormKind, width: Int, rows: Int, parameters: ParameterStore) {
        self.kind = kind
        self.width = width
        gain = parameters.register("\(name).weight", shape: [width], decays: false, initializer: .constant(1))
        shift = kind == .layerNorm
            ? parameters.register("\(name).bias", shape: [width], decays: false, initializer: .constant(0)) : nil
        output = FloatBuffer(count: rows * width)
        gradInput = FloatBuffer(count: rows * width)
        mean = FloatBuffer(count: rows)
        rstd = FloatBuffer(count: rows)
    }

    @discardableResult
    func forward(_ x: UnsafePointer<Float>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        input = x
        switch kind {
        case .layerNorm:
            layerNormForward(x, gamma: context.values + gain, beta: context.values + shift!, epsilon: Self.epsilon,
                             rows: rows, columns: width, output: output.pointer, mean: mean.pointer, rstd: rstd.pointer)
        case .rmsNorm:
            rmsNormForward(x, gamma: context.values + gain, epsilon: Self.epsilon, rows: rows, columns: width,
                           output: output.pointer, rstd: rstd.pointer)
        }
        return output.pointer
    }

    /// Returns dx and adds dγ (and dβ) to the gradients.
    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        guard let x = input else { preconditionFailure("backward before forward") }
        switch kind {
        case .layerNorm:
            layerNormBackward(dy, x: x, gamma: context.values + gain, mean: mean.pointer, rstd: rstd.pointer,
                              rows: rows, columns: width, dx: gradInput.pointer, dgamma: context.gradients + gain,
                              dbeta: context.gradients + shift!)
        case .rmsNorm:
            rmsNormBackward(dy, x: x, gamma: context.values + gain, rstd: rstd.pointer, rows: rows, columns: width,
                            dx: gradInput.pointer, dgamma: context.gradients + gain)
        }
        return gradInput.pointer
    }

    func reference(_ x: [Double], rows: Int, parameters p: [Double]) -> [Double] {
        var y = x
        for r in 0..<rows {
            let row = x[(r * width)..<((r + 1) * width)]
            let mu = kind == .layerNorm ? row.reduce(0, +) / Double(width) : 0
            let second = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(width)
            let scale = 1 / (second + Double(Self.epsilon)).squareRoot()
            for j in 0..<width {
                y[r * width + j] = (x[r * width + j] - mu) * scale * p[gain + j] + (shift.map { p[$0 + j] } ?? 0)
            }
        }
        return y
    }
}
