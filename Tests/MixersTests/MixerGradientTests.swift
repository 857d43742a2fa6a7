import Kernels
import Testing
@testable import Mixers

/// Each fast backward pass against central finite differences (h = 1e−4, in Float64) of the Float64
/// reference's loss L = Σ reference(Q, K, V) ⊙ G, coordinate by coordinate, on [1, 2, 7, 3] and on
/// [1, 1, 65, 2] (which crosses a 64-token chunk). Tolerance: max |fast − FD| ≤ 1e−3 · max |FD|.
@Suite("mixer gradients agree with finite differences of the references")
struct MixerGradientTests {
    static let kinds = MixerKind.allCases

    @Test(arguments: kinds)
    func backwardMatchesFiniteDifferences(kind: MixerKind) throws {
        for causal in maskings(kind) {
            for shape in [[1, 2, 7, 3], [1, 1, 65, 2]] {
                try checkGradients(testDescription(kind, causal: causal, length: shape[2]), shape: shape)
            }
        }
    }
}

/// Compares the fast gradients of Q, K, V (and parameters, when `parameters` names them) with finite
/// differences of the reference.
func checkGradients(_ description: MixerDescription, shape: [Int], seed: UInt64 = 11) throws {
    let (q, k, v) = randomInputs(shape, seed: seed)
    let gradOutput = Tensor<Float>.normal(shape, seed: seed + 3)
    let mixer = try description.makeMixer()
    let forward = try mixer.forward(queries: q, keys: k, values: v)
    let grads = try mixer.backward(queries: q, keys: k, values: v, forward: forward, gradOutput: gradOutput)
    let inputs = [q, k, v].map { $0.converted(to: Double.self) }
    let weights = gradOutput.converted(to: Double.self).elements
    func loss(_ x: [Tensor<Double>]) throws -> Double {
        let o = try MixerReference.output(description, queries: x[0], keys: x[1], values: x[2]).elements
        return zip(o, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let h = 1e-4
    for (index, (name, fast)) in [("queries", grads.queries), ("keys", grads.keys), ("values", grads.values)].enumerated() {
        var numeric = [Double](repeating: 0, count: fast.count)
        for i in 0..<fast.count {
            var plus = inputs, minus = inputs
            plus[index].withUnsafeMutableBufferPointer { $0[i] += h }
            minus[index].withUnsafeMutableBufferPointer { $0[i] -= h }
            numeric[i] = (try loss(plus) - loss(minus)) / (2 * h)
        }
        let error = zip(fast.elements, numeric).map { abs(Double($0) - $1) }.max() ?? 0
        let size = numeric.map(abs).max() ?? 0
        #expect(error <= 1e-3 * max(size, 1e-6),
                "\(description.kind) causal=\(description.causal) \(shape) d\(name): error \(error), max |FD| \(size)")
    }
}
