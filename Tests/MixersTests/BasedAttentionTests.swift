import Kernels
import Testing
@testable import Mixers

/// `BasedAttention` against the Float64 Based reference at chunk boundaries (chunk 16: N = 1, 15, 16, 17,
/// 33, 65), with 1, 2 and 3 threads (one, two and three feature slices per head for one head), D ∈ {1, 5,
/// 17}, causal and not. Tolerance: max |fast − reference| ≤ 2e−4 · max |reference|.
@Suite("Based attention by feature slices and chunks")
struct BasedAttentionTests {
    @Test(arguments: [1, 2, 3])
    func matchesReference(threads: Int) throws {
        for causal in [false, true] {
            for n in [1, 15, 16, 17, 33, 65] {
                for d in [1, 5, 17] {
                    let shape = [1, 1 + n % 2, n, d]
                    let (q, k, v) = randomInputs(shape, seed: UInt64(n * 10 + d))
                    let description = MixerDescription(kind: .based, causal: causal)
                    let attention = BasedAttention(
                        heads: shape[1], length: n, headDimension: d, scale: description.scale(headDimension: d),
                        causal: causal, epsilon: TaylorFeatureMap().epsilon, chunk: 16, threads: threads)
                    let (output, denominator) = run(attention, q, k, v)
                    let reference = try MixerReference.output(
                        description, queries: q.converted(), keys: k.converted(), values: v.converted())
                    let error = relativeError(output, reference)
                    #expect(error <= 2e-4, "causal=\(causal) N=\(n) D=\(d) threads=\(threads): relative error \(error)")
                    #expect(denominator.elements.allSatisfy { $0 > 0 })
                }
            }
        }
    }

    @Test func slicesCoverTheFeatureMap() {
        for d in [1, 5, 17] {
            for parts in 1...d {
                let slices = TaylorFeatureSlice.partition(headDimension: d, parts: parts)
                #expect(slices.map(\.width).reduce(0, +) == TaylorFeatureMap().width(headDimension: d))
                let x = Tensor<Float>.normal([3, d], seed: 5)
                var full = [Float](repeating: 0, count: 3 * TaylorFeatureMap().width(headDimension: d))
                x.withUnsafeBufferPointer { TaylorFeatureMap().apply($0.baseAddress!, rows: 3, d: d, scale: 0.3, into: &full) }
                var joined = [[Float]](repeating: [], count: 3)
                for slice in slices {
                    var part = [Float](repeating: 0, count: 3 * slice.width)
                    x.withUnsafeBufferPointer { slice.apply($0.baseAddress!, rows: 3, scale: 0.3, into: &part) }
                    for row in 0..<3 { joined[row] += part[row * slice.width ..< (row + 1) * slice.width] }
                }
                #expect(joined.flatMap { $0 } == full, "D=\(d) parts=\(parts)")
                for slice in slices {
                    var (part, transposed) = ([Float](repeating: 0, count: 3 * slice.width), [Float](repeating: 0, count: 3 * slice.width))
                    var columns = [Float](repeating: 0, count: 3 * d)
                    x.withUnsafeBufferPointer {
                        slice.apply($0.baseAddress!, rows: 3, scale: 0.3, into: &part)
                        slice.applyTransposed($0.baseAddress!, rows: 3, scale: 0.3, columns: &columns, into: &transposed)
                    }
                    let flipped = (0..<(3 * slice.width)).map { transposed[($0 % slice.width) * 3 + $0 / slice.width] }
                    #expect(flipped == part, "transposed slice, D=\(d) parts=\(parts)")
                }
            }
        }
    }

    private func run(_ attention: BasedAttention, _ q: Tensor<Float>, _ k: Tensor<Float>, _ v: Tensor<Float>)
        -> (Tensor<Float>, Tensor<Float>) {
        var output = Tensor<Float>(zeros: q.shape)
        var denominator = Tensor<Float>(zeros: [attention.heads, attention.length])
        q.withUnsafeBufferPointer { q in
            k.withUnsafeBufferPointer { k in
                v.withUnsafeBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { o in
                        denominator.withUnsafeMutableBufferPointer { den in
                            attention.forward(q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!,
                                              output: o.baseAddress!, denominator: den.baseAddress!)
                        }
                    }
                }
            }
        }
        return (output, denominator)
    }
}
