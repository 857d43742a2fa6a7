import Kernels

/// A fully connected layer `y = x·W + b`.
///
/// Shapes: x `[R, in]` (R rows: batch × tokens), W `[in, out]` (stored input-major, so the forward
/// product needs no transpose; PyTorch stores the transpose), b `[out]`, y `[R, out]`.
/// Cost: forward 2·R·in·out FLOPs; backward 4·R·in·out (dW = xᵀ·dy, dx = dy·Wᵀ). Layers with fewer than
/// 64 inputs or outputs use the narrow loops (`NarrowProducts.swift`), wider ones the packed GEMM.
final class LinearLayer {
    let inputWidth: Int
    let outputWidth: Int
    /// Offsets of W and b in the parameter buffer.
    let weight: Int
    let bias: Int?
    /// `[capacity, out]`.
    let output: FloatBuffer
    /// `[capacity, in]`.
    let gradInput: FloatBuffer
    private var input: UnsafePointer<Float>?
    private var narrow: Bool { inputWidth < 64 || outputWidth < 64 }

    /// Registers `{name}.weight` (uniform ±1/√in, decayed) and `{name}.bias` (uniform ±1/√in), PyTorch's
    /// `nn.Linear` initialisation.
    init(_ name: String, input: Int, output: Int, bias: Bool = true, rows: Int, parameters: ParameterStore) {
        inputWidth = input
        outputWidth = output
        let bound = 1 / Float(input).squareRoot()
        weight = parameters.register("\(name).weight", shape: [input, output], decays: true, initializer: .uniform(bound))
        self.bias = bias ? parameters.register("\(name).bias", shape: [output], decays: false, initializer: .uniform(bound)) : nil
        self.output = FloatBuffer(count: rows * output)
        gradInput = FloatBuffer(count: rows * input)
    }

    /// y = x·W + b for `rows` rows of x (kept for the backward pass). Returns y.
    @discardableResult
    func forward(_ x: UnsafePointer<Float>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        input = x
        let y = output.pointer
        if let bias {
            for row in 0..<rows { (y + row * outputWidth).update(from: context.values + bias, count: outputWidth) }
        }
        if narrow {
            if bias == nil { y.update(repeating: 0, count: rows * outputWidth) }
            narrowProductAccumulate(x, context.values + weight, into: y, rows: rows, inner: inputWidth, columns: outputWidth)
        } else {
            gemm(m: rows, n: outputWidth, k: inputWidth, a: x, lda: inputWidth, b: context.values + weight,
                 ldb: outputWidth, beta: bias == nil ? 0 : 1, c: y, ldc: outputWidth, threads: context.threads)
        }
        return y
    }

    /// Adds dW = xᵀ·dy and db = Σ_rows dy to the gradients; returns dx = dy·Wᵀ (`[rows, in]`), or nil when
    /// `inputGradient` is false (the first layer of a network needs none).
    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, rows: Int, _ context: StepContext, inputGradient: Bool = true)
        -> UnsafeMutablePointer<Float>?
    {
        guard let x = input else { preconditionFailure("backward before forward") }
        if let bias { addColumnSums(dy, rows: rows, columns: outputWidth, into: context.gradients + bias) }
        if narrow {
            narrowOuterAccumulate(x, dy, into: context.gradients + weight, rows: rows, inner: inputWidth, columns: outputWidth)
            guard inputGradient else { return nil }
            narrowProductTransposed(dy, context.values + weight, into: gradInput.pointer, rows: rows, inner: inputWidth,
                                    columns: outputWidth)
            return gradInput.pointer
        }
        gemm(transposeA: true, m: inputWidth, n: outputWidth, k: rows, a: x, lda: inputWidth, b: dy, ldb: outputWidth,
             beta: 1, c: context.gradients + weight, ldc: outputWidth, threads: context.threads)
        guard inputGradient else { return nil }
        gemm(transposeB: true, m: rows, n: inputWidth, k: outputWidth, a: dy, lda: outputWidth,
             b: context.values + weight, ldb: outputWidth, c: gradInput.pointer, ldc: inputWidth, threads: context.threads)
        return gradInput.pointer
    }

    /// The Float64 reference: x·W + b with `parameters` the flat parameter values.
    func reference(_ x: [Double], rows: Int, parameters p: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: rows * outputWidth)
        for r in 0..<rows {
            for j in 0..<outputWidth {
                var sum = bias.map { p[$0 + j] } ?? 0
                for i in 0..<inputWidth { sum += x[r * inputWidth + i] * p[weight + i * outputWidth + j] }
                y[r * outputWidth + j] = sum
            }
        }
        return y
    }
}

/// `sums[j] += Σ_r x[r, j]` over a `[rows, columns]` matrix: the gradient of a bias. O(rows·columns).
func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    for row in 0..<rows {
        let source = x + row * columns
        for j in 0..<columns { sums[j] += source[j] }
    }
}
