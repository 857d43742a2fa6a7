import Testing
@testable import Kernels

@Suite("Micro-kernel with an epilogue against the Float64 product")
struct MicroKernelEpilogueTests {
    /// Each of the 6 rows reaches the epilogue once, holding A·B of the 6 × NR tile within 1e-5 of the
    /// Float64 product; A packed ([kc, 6], strides 1, 6) or 6 rows read in place (stride 9, 1); B rows
    /// wider than NR (ldb = NR + 3).
    @Test("6 × NR tile of A·B handed row by row", arguments: [0, 1, 7, 17, 65], [false, true])
    func matchesProduct(depth: Int, inPlace: Bool) {
        let mr = GEMMTile.rows, nr = GEMMTile.columns, ldb = nr + 3
        let (rowStride, depthStride) = inPlace ? (max(depth, 1) + 8, 1) : (1, mr)
        let a = Tensor<Float>.uniform([mr * max(depth, 1) + 8 * mr], low: -1, high: 1, seed: 21)
        let b = Tensor<Float>.uniform([max(depth, 1) * ldb], low: -1, high: 1, seed: 22)
        var rows = [[Float]](repeating: [], count: mr)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                microKernel(depth: depth, a: a.baseAddress!, aRowStride: rowStride, aDepthStride: depthStride,
                            b: b.baseAddress!, ldb: ldb) { row, accumulator in
                    rows[row] += withUnsafeBytes(of: accumulator) { Array($0.bindMemory(to: Float.self)) }
                }
            }
        }
        for r in 0..<mr {
            #expect(rows[r].count == nr, "row \(r) delivered \(rows[r].count / max(nr, 1)) times")
            for j in 0..<min(nr, rows[r].count) {
                var expected = 0.0
                for p in 0..<depth { expected += Double(a[r * rowStride + p * depthStride]) * Double(b[p * ldb + j]) }
                #expect(abs(Double(rows[r][j]) - expected) <= 1e-5 * Double(max(depth, 1)), "C[\(r), \(j)] depth \(depth)")
            }
        }
    }
}
