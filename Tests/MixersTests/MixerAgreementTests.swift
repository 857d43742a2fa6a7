import Kernels
import Testing
@testable import Mixers

/// Every fast path against its Float64 reference on odd shapes: N ∈ {1, 7, 65, 129} (65 and 129 cross the
/// 64-token chunks), D ∈ {1, 17, 64}, B = 1, H = 2, causal and not where the kind allows.
/// Tolerance: max |fast − reference| ≤ 2e−4 · max |reference| (float32 sums of up to 129·4161 terms).
@Suite("mixers agree with their Float64 references")
struct MixerAgreementTests {
    static let kinds = MixerKind.allCases

    @Test(arguments: kinds)
    func forwardMatchesReference(kind: MixerKind) throws {
        for causal in maskings(kind) {
            for n in [1, 7, 65, 129] {
                for d in [1, 17, 64] {
                    let description = testDescription(kind, causal: causal, length: n)
                    let (q, k, v) = randomInputs([1, 2, n, d], seed: UInt64(n * 100 + d))
                    let fast = try description.makeMixer().forward(queries: q, keys: k, values: v).output
                    let reference = try MixerReference.output(
                        description, queries: q.converted(), keys: k.converted(), values: v.converted())
                    #expect(fast.shape == q.shape)
                    let error = relativeError(fast, reference)
                    #expect(error <= 2e-4, "\(kind) causal=\(causal) N=\(n) D=\(d): relative error \(error)")
                }
            }
        }
    }
}
