import Foundation
import Kernels
import Testing
@testable import Mixers

/// GLA's gate log α = logσ(k)/16 as the engine computes it per chunk. `vectorLogSigmoid` against Float64
/// over x ∈ [−200, 80] (relative error ≤ 1e−6; below −88 its exp is 0 and the result is x itself).
/// Steep gates: keys shifted down so that log α = logσ(k)/16 reaches ≈ −6.4 and ≈ −25 per token,
/// which shrinks the engine's chunk to 4 and to 1 token (the chunk is picked from the smallest key, the
/// gate computed per chunk from the keys). N = 9, D = 5 crosses several chunks; the fast path must still
/// agree with the Float64 recurrence to 2e−4 of max |reference|, as in `MixerAgreementTests`.
@Suite("GLA's gate")
struct GateTests {
    @Test func logSigmoidMatchesFloat64() {
        let xs = Array(stride(from: Float(-200), through: 80, by: 0.173)) + [0, -0.0, 1e-30, -1e-30]
        for x in xs {
            let fast = Double(vectorLogSigmoid(MixerVector(repeating: x))[0])
            let exact = Double(x) < 0 ? Double(x) - log1p(exp(Double(x))) : -log1p(exp(-Double(x)))
            #expect(abs(fast - exact) <= 1e-6 * abs(exact), "x = \(x): \(fast) vs \(exact)")
        }
    }

    @Test(arguments: [(Float(-100), 4), (Float(-400), 1)])
    func steepGatesShrinkTheChunkAndMatchTheReference(shift: Float, chunk: Int) throws {
        let description = testDescription(.gla, causal: true, length: 9)
        let (q, unshifted, v) = randomInputs([1, 2, 9, 5], seed: 11)
        let k = Tensor(shape: unshifted.shape, elements: unshifted.elements.map { $0 + shift })
        let mixer = DecayedLinearMixer(descriptor: description)
        let shape = try mixer.checkedShape(queries: q, keys: k, values: v)
        #expect(mixer.engine(shape, keys: k).chunk == chunk)
        let fast = try mixer.forward(queries: q, keys: k, values: v).output
        let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(), values: v.converted())
        let error = relativeError(fast, reference)
        #expect(error <= 2e-4, "shift \(shift): relative error \(error)")
    }
}
