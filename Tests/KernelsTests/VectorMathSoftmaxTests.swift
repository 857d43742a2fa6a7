import Kernels
import Testing

@Suite("Softmax and log-sum-exp")
struct VectorMathSoftmaxTests {
    /// Runs `softmaxRows` on a padded layout (row stride = columns + 3) and returns the packed rows.
    static func softmax(_ x: [Float], rows: Int, columns: Int) -> [Float] {
        let stride = columns + 3
        var padded = [Float](repeating: 42, count: rows * stride)
        for r in 0..<rows { for j in 0..<columns { padded[r * stride + j] = x[r * columns + j] } }
        padded.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: rows, columns: columns, rowStride: stride) }
        for r in 0..<rows { for j in columns..<stride { #expect(padded[r * stride + j] == 42) } }  // gaps untouched
        return (0..<rows).flatMap { r in padded[r * stride..<r * stride + columns] }
    }

    static func logSumExp(_ x: [Float], rows: Int, columns: Int) -> [Float] {
        var result = [Float](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer {
                logSumExpRows(source.baseAddress!, rows: rows, columns: columns, rowStride: columns, into: $0.baseAddress!)
            }
        }
        return result
    }

    @Test("matches Float64 for logits up to ±1e4 (max |error| ≤ 2e-6, relative ≤ 1e-5 above 1e-30)",
          arguments: [1, 7, 17, 63, 65, 129])
    func matchesReference(columns: Int) {
        let rows = 5
        for scale: Float in [1, 30, 1e4] {
            let x = VectorMathTestSupport.normals(rows * columns, scale: scale, seed: UInt64(columns))
            let reference = VectorMathReference.softmaxRows(x.map(Double.init), rows: rows, columns: columns)
            let y = Self.softmax(x, rows: rows, columns: columns)
            for (value, expected) in zip(y, reference) {
                #expect(abs(Double(value) - expected) <= 2e-6)
                if expected > 1e-30 { #expect(abs(Double(value) - expected) <= 1e-5 * expected) }
            }
            for r in 0..<rows {
                let rowSum = y[r * columns..<(r + 1) * columns].reduce(0.0) { $0 + Double($1) }
                #expect(abs(rowSum - 1) <= 1e-5)
            }
            let lse = Self.logSumExp(x, rows: rows, columns: columns)
            let lseReference = VectorMathReference.logSumExpRows(x.map(Double.init), rows: rows, columns: columns)
            for (value, expected) in zip(lse, lseReference) {
                #expect(abs(Double(value) - expected) <= 1e-6 * max(1, abs(expected)))
            }
        }
    }

    @Test("a fully −inf row becomes zeros (log-sum-exp −inf) without touching its neighbours",
          arguments: [1, 17, 65])
    func maskedRow(columns: Int) {
        var x = VectorMathTestSupport.normals(3 * columns, seed: 9)
        for j in 0..<columns { x[columns + j] = -.infinity }
        let y = Self.softmax(x, rows: 3, columns: columns)
        #expect(y[columns..<2 * columns].allSatisfy { $0 == 0 })
        let reference = VectorMathReference.softmaxRows(x.map(Double.init), rows: 3, columns: columns)
        for r in [0, 2] {
            for j in 0..<columns { #expect(abs(Double(y[r * columns + j]) - reference[r * columns + j]) <= 2e-6) }
        }
        #expect(Self.logSumExp(x, rows: 3, columns: columns)[1] == -.infinity)
    }

    @Test("partially masked rows put all mass on the unmasked entries")
    func partiallyMasked() {
        let x: [Float] = [-.infinity, 2, -.infinity, 2, -.infinity]
        #expect(Self.softmax(x, rows: 1, columns: 5) == [0, 0.5, 0, 0.5, 0])
    }

    @Test("NaN (alone, or among −inf) or +inf makes only its own row NaN", arguments: [1, 7, 65])
    func nanRowsIsolated(columns: Int) {
        var x = VectorMathTestSupport.normals(4 * columns, seed: 11)
        x[columns + columns / 2] = .nan  // row 1: one NaN among finite values
        for j in 0..<columns { x[2 * columns + j] = j == columns - 1 ? .nan : -.infinity }  // row 2
        x[3 * columns] = .infinity  // row 3
        let y = Self.softmax(x, rows: 4, columns: columns)
        #expect(y[columns..<4 * columns].allSatisfy { $0.isNaN })
        let reference = VectorMathReference.softmaxRows(x.map(Double.init), rows: 4, columns: columns)
        for j in 0..<columns { #expect(abs(Double(y[j]) - reference[j]) <= 2e-6) }
        let lse = Self.logSumExp(x, rows: 4, columns: columns)
        #expect(lse[0].isFinite && lse[1].isNaN && lse[2].isNaN && lse[3].isNaN)
    }

    @Test("tensor wrappers work over the last dimension")
    func tensorWrappers() {
        let t = Tensor<Float>.normal([2, 3, 19], std: 5, seed: 4)
        var s = t
        s.softmaxLastDimension()
        let reference = VectorMathReference.softmaxRows(t.elements.map(Double.init), rows: 6, columns: 19)
        for (value, expected) in zip(s.elements, reference) { #expect(abs(Double(value) - expected) <= 2e-6) }
        let lse = t.logSumExpLastDimension()
        #expect(lse.shape == [2, 3])
        let lseReference = VectorMathReference.logSumExpRows(t.elements.map(Double.init), rows: 6, columns: 19)
        for (value, expected) in zip(lse.elements, lseReference) { #expect(abs(Double(value) - expected) <= 1e-5) }
    }
}
