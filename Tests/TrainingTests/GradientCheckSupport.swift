import Kernels
import Testing
@testable import Training

/// A layer under test with its own parameters, gradient buffer and a step context over them.
final class LayerHarness {
    let parameters = ParameterStore()
    private(set) var gradients = FloatBuffer(count: 0)

    /// Draws the registered parameters (call after building the layer).
    func initialize(seed: UInt64 = 5) -> StepContext {
        parameters.initialize(seed: seed)
        gradients = FloatBuffer(count: parameters.count)
        return StepContext(values: parameters.buffer.pointer, gradients: gradients.pointer, threads: 1)
    }

    var flatParameters: [Double] { parameters.flatValues.map(Double.init) }
}

/// Seeded values in [−1, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    Tensor<Float>.uniform([count], low: -1, high: 1, seed: seed).elements
}

/// Checks fp32 gradients against central finite differences (step 1e−6) of a Float64 loss.
///
/// For the loss `Σ G ∘ f(x)`, every entry (or `samples` seeded entries of a large tensor) of the input
/// gradient and of each parameter tensor must satisfy |g − fd| ≤ 1e−3·|fd| + 1e−4·max|g| + 1e−6,
/// the tolerance of the Models gradient checks.
struct FiniteDifferenceCheck {
    var samples = 12
    var step = 1e-6

    /// Compares `gradient` (fp32) with d loss(v)/dv[i] where `loss(index, delta)` is the reference loss
    /// with entry `index` moved by `delta`.
    func compare(_ name: String, _ gradient: [Float], seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation,
                 loss: (_ index: Int, _ delta: Double) -> Double) {
        let scale = gradient.reduce(0) { max($0, Double(abs($1))) }
        var generator = SeededGenerator(seed: seed)
        let indices = gradient.count <= samples ? Array(gradient.indices)
            : (0..<samples).map { _ in Int(generator.next() % UInt64(gradient.count)) }
        for index in indices {
            let finiteDifference = (loss(index, step) - loss(index, -step)) / (2 * step)
            let tolerance = 1e-3 * abs(finiteDifference) + 1e-4 * scale + 1e-6
            #expect(abs(Double(gradient[index]) - finiteDifference) <= tolerance,
                    "∂loss/∂\(name)[\(index)]: fp32 \(gradient[index]), finite difference \(finiteDifference)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Checks every parameter tensor of `parameters` (fp32 gradients in `gradients`) against `loss(p)`.
    func compareParameters(_ parameters: ParameterStore, gradients: [Float], sourceLocation: SourceLocation = #_sourceLocation,
                           loss: ([Double]) -> Double) {
        let base = parameters.flatValues.map(Double.init)
        for (seed, entry) in parameters.entries.enumerated() {
            let slice = Array(gradients[entry.offset..<(entry.offset + entry.count)])
            compare(entry.name, slice, seed: UInt64(seed), sourceLocation: sourceLocation) { index, delta in
                var p = base
                p[entry.offset + index] += delta
                return loss(p)
            }
        }
    }
}

/// Σ G ∘ y in Float64.
func weightedSum(_ y: [Double], _ g: [Float]) -> Double {
    zip(y, g).reduce(0) { $0 + $1.0 * Double($1.1) }
}

/// Runs a sequence-to-sequence layer forward and backward under the loss Σ G∘y and checks the input and
/// parameter gradients against its Float64 reference. `prepare` may move the drawn parameters first.
func checkLayer(
    harness: LayerHarness, inputCount: Int, outputCount: Int, seed: UInt64 = 11, sourceLocation: SourceLocation = #_sourceLocation,
    prepare: (ParameterStore) -> Void = { _ in },
    forward: (UnsafePointer<Float>, StepContext) -> UnsafeMutablePointer<Float>,
    backward: (UnsafePointer<Float>, StepContext) -> UnsafeMutablePointer<Float>?,
    reference: (_ x: [Double], _ parameters: [Double]) -> [Double]
) {
    let context = harness.initialize()
    prepare(harness.parameters)
    // The layers keep a pointer to their input until the backward pass, so x lives in a buffer of its own.
    let input = FloatBuffer(count: max(1, inputCount))
    input.load(randomValues(max(1, inputCount), seed: seed))
    let x = input.elements
    let g = randomValues(outputCount, seed: seed + 1)
    let y = forward(input.pointer, context)
    let output = Array(UnsafeBufferPointer(start: y, count: outputCount))
    let p0 = harness.flatParameters
    let x0 = x.map(Double.init)
    let referenceOutput = reference(x0, p0)
    let forwardError = zip(output, referenceOutput).reduce(0) { max($0, abs(Double($1.0) - $1.1)) }
    #expect(forwardError <= 1e-4, "forward differs from the reference by \(forwardError)", sourceLocation: sourceLocation)
    let dx = g.withUnsafeBufferPointer { backward($0.baseAddress!, context) }
    withExtendedLifetime(input) {}
    let check = FiniteDifferenceCheck()
    if let dx {
        check.compare("input", Array(UnsafeBufferPointer(start: dx, count: inputCount)), sourceLocation: sourceLocation) { i, delta in
            var shifted = x0
            shifted[i] += delta
            return weightedSum(reference(shifted, p0), g)
        }
    }
    check.compareParameters(harness.parameters, gradients: harness.gradients.elements, sourceLocation: sourceLocation) {
        weightedSum(reference(x0, $0), g)
    }
}

/// Fills a `batch`-example batch of `description` from `task` and checks the loss against the Float64
/// reference (relative 1e-4) and `samples` entries of every parameter tensor's gradient, summed over two
/// replicas, against finite differences of the reference loss.
func checkModelGradients(_ description: ModelDescription, task: TaskDescription, batch: Int, samples: Int,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let model = try TrainingModel(description, batchSize: batch, shards: 2, seed: 3)
    let data = try task.prepare(seed: 9)
    let examples = model.makeBatch()
    for slot in 0..<batch { data.fill(examples, slot: slot, split: .training, index: slot) }
    examples.count = batch
    let loss = model.computeGradients(examples, threads: 2)
    let reference = model.referenceLoss(examples)
    #expect(abs(loss - reference) <= 1e-4 * max(1, abs(loss)), "loss \(loss), reference \(reference)",
            sourceLocation: sourceLocation)
    FiniteDifferenceCheck(samples: samples).compareParameters(model.parameters, gradients: model.gradients.elements,
                                                              sourceLocation: sourceLocation) { p in
        model.referenceLoss(examples) { $0 = p }
    }
}
