import Kernels
import Testing

@Suite("Reductions")
struct VectorMathReductionTests {
    @Test("horizontal sum and max over SIMD16, SIMD8 and SIMD4")
    func horizontal() {
        let values = VectorMathTestSupport.normals(16, seed: 1)
        let v = SIMD16<Float>(values)
        #expect(abs(Double(horizontalSum(v)) - VectorMathReference.sum(values)) <= 1e-6)
        #expect(horizontalMax(v) == values.max())
        #expect(horizontalMax(v.lowHalf) == values.prefix(8).max())
        #expect(abs(Double(horizontalSum(v.highHalf)) - VectorMathReference.sum(Array(values.suffix(8)))) <= 1e-6)
        #expect(horizontalMax(v.lowHalf.highHalf) == values[4..<8].max())
        #expect(abs(Double(horizontalSum(v.highHalf.lowHalf)) - VectorMathReference.sum(Array(values[8..<12]))) <= 1e-6)
    }

    @Test("pairwise, compensated, dot and maximum match Float64 on random data", arguments: [0, 1, 15, 17, 129, 1000, 70_001])
    func randomBuffers(count: Int) {
        let a = VectorMathTestSupport.normals(count, seed: 7)
        let b = VectorMathTestSupport.normals(count, seed: 8)
        let scale = a.reduce(0) { $0 + Double(abs($1)) } + 1e-30
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let reference = VectorMathReference.sum(a)
                // Pairwise: ≈ (8 + log2(n/128) + 4)·ε·Σ|x|; compensated: ≈ 2ε·|Σx| + O(nε²)Σ|x|.
                #expect(abs(Double(pairwiseSum(pa.baseAddress!, count: count)) - reference) <= 2e-6 * scale)
                #expect(abs(Double(compensatedSum(pa.baseAddress!, count: count)) - reference)
                        <= 1.2e-7 * abs(reference) + 1e-12 * scale)
                let dotScale = zip(a, b).reduce(0) { $0 + Double(abs($1.0 * $1.1)) } + 1e-30
                let dotError = abs(Double(dot(pa.baseAddress!, pb.baseAddress!, count: count)) - VectorMathReference.dot(a, b))
                #expect(dotError <= Double(count / 64 + 8) * 1.2e-7 * dotScale)
                #expect(maximum(pa.baseAddress!, count: count) == (a.max() ?? -.infinity))
            }
        }
    }

    @Test("compensated summation is exact on 1e8 + 100 000 ones where the naive sum loses everything")
    func illConditioned() {
        let values = [Float(1e8)] + [Float](repeating: 1, count: 100_000)
        let naive = values.reduce(Float(0), +)
        let compensated = values.withUnsafeBufferPointer { compensatedSum($0.baseAddress!, count: $0.count) }
        #expect(naive == 1e8)  // every 1 is below half an ulp of 1e8 (ulp = 8)
        #expect(compensated == 100_100_000)
    }

    @Test("compensated summation survives cancellation that defeats naive and pairwise sums")
    func cancellation() {
        // Every SIMD lane (stride 16) sees 1e8, 1, −1e8, 1, …: the exact sum is 2 per group, but a 1 added
        // to ±1e8 is absorbed, so lane-wise and sequential sums both lose most of the ones.
        let groups = 1024
        let pattern: [Float] = [1e8, 1, -1e8, 1]
        let values = (0..<4 * groups).map { pattern[($0 / 16) % 4] }
        values.withUnsafeBufferPointer { p in
            let naive = values.reduce(Float(0), +)
            let pairwise = pairwiseSum(p.baseAddress!, count: p.count)
            let compensated = compensatedSum(p.baseAddress!, count: p.count)
            #expect(compensated == Float(2 * groups))
            #expect(abs(naive - Float(2 * groups)) > 100)
            #expect(abs(pairwise - Float(2 * groups)) > 100)
        }
    }

    @Test("maximum propagates NaN")
    func maximumNaN() {
        for position in [0, 5, 16, 20] {
            var values = [Float](repeating: 1, count: 21)
            values[position] = .nan
            #expect(values.withUnsafeBufferPointer { maximum($0.baseAddress!, count: $0.count) }.isNaN)
        }
    }
}
