import Kernels
import Testing
@testable import Mixers

/// Performer's per-chunk features: the gradients `PerformerChunks` maps back (against central differences
/// in Float64 over rows spanning several 64-row chunks), and the chunked causal forward pass when the
/// head's largest key projection sits far from most chunks' own (states rescaled by e^{c_c − c} ≪ 1) or
/// in the last chunk, which has no state of its own.
@Suite("Performer chunked features")
struct PerformerChunksTests {
    /// dx of L = Σ φ(x) ⊙ G for queries and keys, fed to the source 64 rows at a time as the chunked pass does.
    @Test(arguments: [true, false])
    func chunkGradientsMatchFiniteDifferences(isQuery: Bool) throws {
        let (n, d, m) = (257, 3, 8)
        let shape = try MixerShape(queries: [1, n, d], keys: [1, n, d], values: [1, n, d])
        let x = Tensor<Float>.normal([1, n, d], seed: 31)
        let gradFeatures = Tensor<Float>.normal([1, n, m], seed: 32)
        let w = PerformerFeatures.draw(features: m, headDimension: d, seed: 4, stream: 0)
        let scale: Float = 0.5
        var dx = Tensor<Float>(zeros: x.shape)
        PerformerFeatures.withChunks(projection: w, shape: shape, scale: scale) { map in
            let stabilisers = PerformerFeatures.features(queries: x, keys: x, map: map, heads: 1).stabilisers
            let buffers = UnsafeMutablePointer<Float>.allocate(capacity: 2 * 64 * m)
            let argmax = UnsafeMutablePointer<Int>.allocate(capacity: n), sums = UnsafeMutablePointer<Float>.allocate(capacity: n)
            defer {
                buffers.deallocate()
                argmax.deallocate()
                sums.deallocate()
            }
            x.withUnsafeBufferPointer { x in
                gradFeatures.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { dx in
                        stabilisers.withUnsafeBufferPointer { tops in
                            let source = PerformerChunks(map: map, q: x.baseAddress!, k: x.baseAddress!, stabilisers: tops.baseAddress!,
                                                         dq: dx.baseAddress!, dk: dx.baseAddress!, queryArgmax: argmax, keyRowSums: sums,
                                                         cache: nil)
                            for first in stride(from: 0, to: n, by: 64) {
                                let rows = first ..< min(n, first + 64), (phi, grad) = (buffers, buffers + 64 * m)
                                grad.update(from: g.baseAddress! + first * m, count: rows.count * m)
                                if isQuery {
                                    source.queryFeatures(rows, into: phi)
                                    source.queryGradient(rows, features: phi, gradient: grad)
                                } else {
                                    source.keyFeatures(rows, into: phi)
                                    source.keyGradient(rows, features: phi, gradient: grad)
                                }
                            }
                            if !isQuery { source.addKeyStabiliserGradients(heads: 1) }
                        }
                    }
                }
            }
        }
        let (base, weights) = (x.converted(to: Double.self).elements, gradFeatures.converted(to: Double.self).elements)
        func loss(_ flat: [Double]) -> Double {
            let phi = performerFeaturesReference((0..<n).map { Array(flat[$0 * d..<($0 + 1) * d]) }, projection: w,
                                                 scale: Double(scale), isQuery: isQuery).flatMap { $0 }
            return zip(phi, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-4
        let numeric = base.indices.map { i in
            var (plus, minus) = (base, base)
            plus[i] += h
            minus[i] -= h
            return (loss(plus) - loss(minus)) / (2 * h)
        }
        let error = zip(dx.elements, numeric).map { abs(Double($0) - $1) }.max() ?? 0
        let size = numeric.map(abs).max() ?? 0
        #expect(error <= 1e-3 * size, "isQuery=\(isQuery): error \(error), max |FD| \(size)")
    }

    /// Keys scaled ×3 in one chunk (first, middle or last of N = 193) so that chunk holds the head's largest u.
    @Test(arguments: [0, 100, 192])
    func causalForwardWithADominantChunk(row: Int) throws {
        let (n, d) = (193, 17)
        let description = MixerDescription(kind: .performer, features: 24, seed: 7, causal: true)
        let (q, unscaled, v) = randomInputs([1, 2, n, d], seed: UInt64(row))
        let k = Tensor(shape: unscaled.shape, elements: unscaled.elements.enumerated().map { index, x in
            (index / d) % n / 64 == row / 64 ? 3 * x : x
        })
        let fast = try description.makeMixer().forward(queries: q, keys: k, values: v).output
        let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(), values: v.converted())
        let error = relativeError(fast, reference)
        #expect(error <= 2e-4, "dominant chunk of row \(row): relative error \(error)")
    }
}
