import Kernels
import Testing
@testable import Mixers

/// Nyström's inlined-exp loops against what they replace, on widths with and without a vector tail
/// (1, 7, 17, 65 columns): `softmaxFiniteRows` gives `softmaxRows`'s bits, and `exponentiateColumns` the
/// lane-wise `vectorExp` of each shifted element and the row-order column sums, bit for bit.
@Suite("Nyström's row softmax and column exps")
struct FiniteSoftmaxTests {
    @Test(arguments: [1, 7, 17, 65])
    func softmaxMatchesKernels(columns: Int) {
        let rows = 5
        let scores = Tensor<Float>.normal([rows, columns], seed: UInt64(columns)).elements.map { 8 * $0 }
        var fast = scores, kernels = scores
        fast.withUnsafeMutableBufferPointer { softmaxFiniteRows($0.baseAddress!, rows: rows, columns: columns) }
        kernels.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: rows, columns: columns, rowStride: columns) }
        #expect(fast == kernels)
    }

    @Test(arguments: [1, 7, 17, 65])
    func columnExponentialsMatchElementwise(columns: Int) {
        let rows = 9
        var values = Tensor<Float>.normal([rows, columns], seed: UInt64(columns) + 50).elements
        let shift = Tensor<Float>.normal([columns], seed: UInt64(columns) + 60).elements
        var sums = [Float](repeating: 0.5, count: columns)
        let expected = (0..<rows * columns).map { vectorExp(MixerVector(repeating: values[$0] - shift[$0 % columns]))[0] }
        var expectedSums = [Float](repeating: 0.5, count: columns)
        for i in 0..<rows * columns { expectedSums[i % columns] += expected[i] }
        values.withUnsafeMutableBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { s in
                exponentiateColumns(x.baseAddress!, rows: rows, columns: columns, shift: shift, sums: s.baseAddress!)
            }
        }
        #expect(values == expected)
        #expect(sums == expectedSums)
    }
}
