import Kernels
import Models
import Testing

/// A Float64 model reference whose weights can be perturbed by name.
protocol ReferenceModel {
    var weights: [String: Tensor<Double>] { get set }
    func forward(_ x: Tensor<Double>) -> Tensor<Double>
}

extension PaperTransformerReference: ReferenceModel {}
extension StandardTransformerReference: ReferenceModel {}

/// Largest |a − b| over two tensors of one shape.
func maxAbsDifference(_ a: Tensor<Float>, _ b: Tensor<Double>) -> Double {
    #expect(a.shape == b.shape)
    return zip(a.elements, b.elements).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
}

/// Checks a model's fp32 gradients against central finite differences of the Float64 reference.
///
/// The loss is `Σ G ∘ output` for a fixed G, so ∂loss/∂output = G. For the input and for every weight
/// tensor, up to `samples` seeded entries (all of them for small tensors) are perturbed by ±h in Float64;
/// each fp32 gradient entry g must satisfy |g − fd| ≤ 1e-3·|fd| + 1e-4·max|g over the tensor| + 1e-6.
struct GradientCheck<Reference: ReferenceModel> {
    let reference: Reference
    let input: Tensor<Float>
    let gradOutput: Tensor<Float>
    var samples = 12
    var step = 1e-6

    /// `Σ G ∘ f(x)` with the reference's current weights.
    private func loss(_ model: Reference, _ x: Tensor<Double>) -> Double {
        zip(model.forward(x).elements, gradOutput.elements).reduce(0) { $0 + $1.0 * Double($1.1) }
    }

    /// Compares the gradient of the input and of each named weight; the names must be exactly the
    /// reference's weight names.
    func verify(input gradInput: Tensor<Float>, weights gradWeights: [(name: String, tensor: Tensor<Float>)],
                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(gradWeights.map(\.name)) == Set(reference.weights.keys), sourceLocation: sourceLocation)
        let x = input.converted(to: Double.self)
        compare("input", gradInput, sourceLocation: sourceLocation) { index, delta in
            var shifted = x
            shifted.withUnsafeMutableBufferPointer { $0[index] += delta }
            return loss(reference, shifted)
        }
        for (seed, (name, gradient)) in gradWeights.enumerated() {
            compare(name, gradient, seed: UInt64(seed), sourceLocation: sourceLocation) { index, delta in
                var perturbed = reference
                perturbed.weights[name]!.withUnsafeMutableBufferPointer { $0[index] += delta }
                return loss(perturbed, x)
            }
        }
    }

    private func compare(
        _ name: String, _ gradient: Tensor<Float>, seed: UInt64 = 99, sourceLocation: SourceLocation,
        lossWith: (_ index: Int, _ delta: Double) -> Double
    ) {
        let values = gradient.elements
        let scale = values.reduce(0) { max($0, Double(abs($1))) }
        var generator = SeededGenerator(seed: seed)
        let indices = values.count <= samples ? Array(values.indices) : (0..<samples).map { _ in Int(generator.next() % UInt64(values.count)) }
        for index in indices {
            let finiteDifference = (lossWith(index, step) - lossWith(index, -step)) / (2 * step)
            let tolerance = 1e-3 * abs(finiteDifference) + 1e-4 * scale + 1e-6
            #expect(abs(Double(values[index]) - finiteDifference) <= tolerance,
                    "∂loss/∂\(name)[\(index)]: fp32 \(values[index]), finite difference \(finiteDifference)",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Checks that `model`'s fp32 forward pass matches its Float64 reference within 1e-4 (max abs), keeps
/// the input's shape, and that `forwardWithCache` (on one thread) gives the same output.
func expectForwardMatchesReference<Model: TransformerModel>(
    _ model: Model, _ reference: some ReferenceModel, input: Tensor<Float>, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let output = try model.forward(input, threads: 2)
    #expect(output.shape == input.shape, sourceLocation: sourceLocation)
    #expect(maxAbsDifference(output, reference.forward(input.converted(to: Double.self))) <= 1e-4,
            sourceLocation: sourceLocation)
    #expect(try model.forwardWithCache(input, threads: 1).output == output, sourceLocation: sourceLocation)
}

/// Runs `model`'s backward pass for the loss `Σ gradOutput ∘ output` and checks the gradients of the
/// input and of every weight with `GradientCheck`.
func expectGradientsMatchFiniteDifferences<Model: TransformerModel>(
    _ model: Model, _ reference: some ReferenceModel, input: Tensor<Float>, gradOutput: Tensor<Float>,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let (_, cache) = try model.forwardWithCache(input, threads: 2)
    let gradients = try model.backward(cache: cache, gradOutput: gradOutput, threads: 2)
    #expect(gradients.input.shape == input.shape, sourceLocation: sourceLocation)
    GradientCheck(reference: reference, input: input, gradOutput: gradOutput)
        .verify(input: gradients.input, weights: gradients.weights.namedWeights, sourceLocation: sourceLocation)
}
