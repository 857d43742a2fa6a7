import Kernels
import Testing
@testable import Mixers

/// Linformer on shapes the generic agreement tests do not reach: projected lengths k that are not a
/// multiple of the vector width and span several key tiles of the flash engine, N = 512 and 600 (several
/// query blocks per head, a ragged last one), and k > N. Tolerances as in `MixerAgreementTests` /
/// `MixerGradientTests`.
@Suite("Linformer on wide projections and long sequences")
struct LinformerShapeTests {
    @Test(arguments: [(129, 70), (600, 17)])
    func linformerAgreesAcrossBlocks(n: Int, features: Int) throws {
        for d in [1, 17, 64] {
            let description = MixerDescription(kind: .linformer, features: features, seed: 7)
            let (q, k, v) = randomInputs([1, 2, n, d], seed: UInt64(n + d))
            let fast = try description.makeMixer().forward(queries: q, keys: k, values: v).output
            let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(),
                                                      values: v.converted())
            let error = relativeError(fast, reference)
            #expect(error <= 2e-4, "N=\(n) k=\(features) D=\(d): relative error \(error)")
        }
    }

    @Test func linformerGradientsOnALongSequence() throws {
        try checkGradients(MixerDescription(kind: .linformer, features: 5, seed: 4), shape: [1, 1, 512, 1])
    }

    @Test func linformerGradientsWithWideProjection() throws {
        try checkGradients(MixerDescription(kind: .linformer, features: 70, seed: 6), shape: [1, 2, 7, 3])
    }
}
