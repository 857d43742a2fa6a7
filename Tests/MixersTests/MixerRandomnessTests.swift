import Kernels
import Testing
@testable import Mixers

/// Seeded mixers are reproducible bit for bit, and Linformer's learnable projections get correct gradients.
@Suite("random mixers: seeds, redraws and learnable projections")
struct MixerRandomnessTests {
    let inputs = randomInputs([1, 2, 33, 8], seed: 5)

    func output(_ description: MixerDescription) throws -> Tensor<Float> {
        try description.makeMixer().forward(queries: inputs.q, keys: inputs.k, values: inputs.v).output
    }

    @Test(arguments: [MixerKind.performer, .linformer])
    func sameSeedSameBitsOtherSeedOtherOutput(kind: MixerKind) throws {
        let first = try output(MixerDescription(kind: kind, features: 16, seed: 42))
        #expect(try output(MixerDescription(kind: kind, features: 16, seed: 42)) == first)
        #expect(try output(MixerDescription(kind: kind, features: 16, seed: 43)) != first)
    }

    @Test func redrawGivesNewFeaturesEachCallInAReproducibleSequence() throws {
        let description = MixerDescription(kind: .performer, features: 16, seed: 42, redraw: true)
        let (a, b) = (try description.makeMixer(), try description.makeMixer())
        let runA = try (0..<3).map { _ in try a.forward(queries: inputs.q, keys: inputs.k, values: inputs.v).output }
        let runB = try (0..<3).map { _ in try b.forward(queries: inputs.q, keys: inputs.k, values: inputs.v).output }
        #expect(runA == runB)
        #expect(runA[0] != runA[1] && runA[1] != runA[2])
        #expect(runA[0] == (try output(MixerDescription(kind: .performer, features: 16, seed: 42))))
    }

    /// dE, dF of a learnable Linformer against finite differences of the Float64 reference.
    @Test func linformerProjectionGradientsMatchFiniteDifferences() throws {
        let (q, k, v) = randomInputs([1, 2, 9, 3], seed: 8)
        let projections = LinformerProjections.random(rows: 4, length: 9, seed: 2)
        let mixer = LinformerMixer(descriptor: MixerDescription(kind: .linformer, features: 4), projections: projections)
        let gradOutput = Tensor<Float>.normal(q.shape, seed: 9)
        let grads = try mixer.backward(queries: q, keys: k, values: v, forward: mixer.forward(queries: q, keys: k, values: v),
                                       gradOutput: gradOutput)
        let weights = gradOutput.converted(to: Double.self).elements
        func loss(_ p: LinformerProjections) -> Double {
            var total = 0.0
            for head in 0..<2 {
                func rows(_ x: Tensor<Float>) -> [[Double]] { (0..<9).map { i in (0..<3).map { Double(x[0, head, i, $0]) } } }
                let o = linformerReference(rows(q), rows(k), rows(v), projections: p, scale: 1 / 3.0.squareRoot())
                for i in 0..<9 { for a in 0..<3 { total += o[i][a] * weights[(head * 9 + i) * 3 + a] } }
            }
            return total
        }
        let h: Float = 1e-2
        for (name, path) in [("E", \LinformerProjections.keys), ("F", \LinformerProjections.values)] {
            let fast = try #require(grads.parameters[name])
            for i in 0..<fast.count {
                var plus = projections, minus = projections
                plus[keyPath: path].withUnsafeMutableBufferPointer { $0[i] += h }
                minus[keyPath: path].withUnsafeMutableBufferPointer { $0[i] -= h }
                let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
                #expect(abs(Double(fast.elements[i]) - numeric) <= 2e-3 * max(1, abs(numeric)), "d\(name)[\(i)]")
            }
        }
    }
}
