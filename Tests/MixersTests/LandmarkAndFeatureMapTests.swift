import Kernels
import Testing
@testable import Mixers

/// The GEMM-shaped fast paths of Nyström (explicit [N, m] and [m, N] kernels), Linformer's fixed
/// projections and Performer's feature map (per 128-row block), on shapes the generic agreement tests do not
/// reach: landmark counts above one 6 × NR tile, and feature-map inputs spanning several 128-row blocks
/// (N = 257: two full blocks and one row), and Nyström at N = 1040 and 512, whose rows run as several
/// `RowParts` items per head of 96-row blocks with a ragged last block (partial sums added across items).
/// Tolerances as in `MixerAgreementTests` / `MixerGradientTests`.
@Suite("landmark and feature-map fast paths")
struct LandmarkAndFeatureMapTests {
    @Test(arguments: [(130, 65), (256, 64), (1040, 8)])
    func nystromAgreesWithManyLandmarks(n: Int, landmarks: Int) throws {
        for d in [1, 17, 64] {
            let description = MixerDescription(kind: .nystrom, landmarks: landmarks)
            let (q, k, v) = randomInputs([1, 2, n, d], seed: UInt64(n + d))
            let fast = try description.makeMixer().forward(queries: q, keys: k, values: v).output
            let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(),
                                                      values: v.converted())
            let error = relativeError(fast, reference)
            #expect(error <= 2e-4, "N=\(n) m=\(landmarks) D=\(d): relative error \(error)")
        }
    }

    @Test func nystromGradientsWithSeveralRowsPerSegment() throws {
        try checkGradients(MixerDescription(kind: .nystrom, landmarks: 3), shape: [1, 2, 12, 5])
    }

    @Test func nystromGradientsAcrossRowItems() throws {
        try checkGradients(MixerDescription(kind: .nystrom, landmarks: 2), shape: [1, 1, 512, 1])
    }

    @Test func linformerFixedProjectionsHaveNoParameterGradients() throws {
        let mixer = try MixerDescription(kind: .linformer, features: 4, seed: 5).makeMixer()
        let (q, k, v) = randomInputs([1, 2, 9, 3], seed: 21)
        let forward = try mixer.forward(queries: q, keys: k, values: v)
        let grads = try mixer.backward(queries: q, keys: k, values: v, forward: forward, gradOutput: .normal(q.shape, seed: 24))
        #expect(grads.parameters.isEmpty)
        #expect(grads.keys.shape == k.shape && grads.values.shape == v.shape)
    }

    @Test func performerFeaturesAcrossBlocksMatchReference() throws {
        for d in [1, 17, 64] {
            let shape = try MixerShape(queries: [1, 2, 257, d], keys: [1, 2, 257, d], values: [1, 2, 257, d])
            let (q, k) = (Tensor<Float>.normal([1, 2, 257, d], seed: UInt64(d)), Tensor<Float>.normal([1, 2, 257, d], seed: 99))
            let w = PerformerFeatures.draw(features: 24, headDimension: d, seed: 3, stream: 0)
            let scale = 1 / Float(d).squareRoot()
            let fast = PerformerFeatures.withChunks(projection: w, shape: shape, scale: scale) {
                PerformerFeatures.features(queries: q, keys: k, map: $0, heads: 2)
            }
            for (x, phi, isQuery) in [(q, fast.phiQ, true), (k, fast.phiK, false)] {
                let rows = x.converted(to: Double.self).elements
                let reference = (0..<2).flatMap { head in
                    performerFeaturesReference((0..<257).map { Array(rows[(head * 257 + $0) * d..<(head * 257 + $0 + 1) * d]) },
                                               projection: w, scale: Double(scale), isQuery: isQuery).flatMap { $0 }
                }
                let error = relativeError(phi, Tensor(shape: phi.shape, elements: reference))
                #expect(error <= 2e-5, "isQuery=\(isQuery) D=\(d): relative error \(error)")
            }
        }
    }
}
