import Kernels
import Testing
@testable import Mixers

/// FAVOR+ is an unbiased Monte-Carlo estimate of the softmax kernel: on inputs of moderate norm (E‖x̂‖² = ½,
/// x̂ = x·D^{−1/4}, so its variance factor e^{‖x̂ + ŷ‖²} ≈ e) its relative output error falls ≈ m^{−1/2}.
@Suite("Performer's error falls with the features m")
struct PerformerConvergenceTests {
    /// ‖Y − Y_exact‖_F / ‖Y_exact‖_F against the Float64 softmax reference.
    static func relativeFrobeniusError(_ y: Tensor<Float>, _ reference: Tensor<Double>) -> Double {
        let pairs = zip(y.elements, reference.elements)
        let difference = pairs.reduce(0.0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }
        return (difference / reference.elements.reduce(0.0) { $0 + $1 * $1 }).squareRoot()
    }

    /// Mean error over 4 seeds at m = 16 and m = 1024 (64× the features: m^{−1/2} predicts 1/8).
    @Test func meanErrorAtManyFeaturesIsWellBelowThatAtFew() throws {
        let (n, d) = (65, 16)
        let shape = [1, 2, n, d]
        let std = Float((0.5 / Double(d).squareRoot()).squareRoot())
        let (q, k) = (Tensor<Float>.normal(shape, std: std, seed: 1), Tensor<Float>.normal(shape, std: std, seed: 2))
        let v = Tensor<Float>.normal(shape, seed: 3)
        let exact = try MixerReference.output(MixerDescription(kind: .exact), queries: q.converted(), keys: k.converted(),
                                              values: v.converted())
        func meanError(features m: Int) throws -> Double {
            let errors = try (0..<4).map { seed in
                let y = try MixerDescription(kind: .performer, features: m, seed: UInt64(seed)).makeMixer()
                    .forward(queries: q, keys: k, values: v).output
                return Self.relativeFrobeniusError(y, exact)
            }
            return errors.reduce(0, +) / Double(errors.count)
        }
        let (few, many) = (try meanError(features: 16), try meanError(features: 1024))
        #expect(many <= 0.3 * few, "m = 16: \(few), m = 1024: \(many)")
        #expect(many < 0.1, "m = 1024: \(many)")
    }
}
