import Kernels
import Testing
@testable import Mixers

/// `ChunkedFeatureAttention` (the linear and polynomial forward) on lengths the generic agreement tests do
/// not reach: many 64-token chunks (causal prefix scans of the states and feature sums) and, non-causal,
/// several token segments per head (N ≥ 512 at H = 1 splits the partial states over threads).
/// Tolerance as in `MixerAgreementTests`.
@Suite("chunked feature attention over many chunks and segments")
struct ChunkedFeatureAttentionTests {
    @Test(arguments: [MixerKind.linear, .polynomial], [(true, 1040), (false, 577), (false, 1040)])
    func agreesWithReference(kind: MixerKind, masking: (causal: Bool, length: Int)) throws {
        for d in [1, 17] {
            let description = testDescription(kind, causal: masking.causal, length: masking.length)
            let (q, k, v) = randomInputs([1, 1, masking.length, d], seed: UInt64(masking.length + d))
            let fast = try description.makeMixer().forward(queries: q, keys: k, values: v).output
            let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(),
                                                      values: v.converted())
            let error = relativeError(fast, reference)
            #expect(error <= 2e-4, "\(kind) causal=\(masking.causal) N=\(masking.length) D=\(d): relative error \(error)")
        }
    }
}
