import Hardness
import Kernels
import Testing

@Suite("BinaryMatrix packing, products and conversions")
struct BinaryMatrixTests {
    static let dimensions = [1, 7, 63, 64, 65, 130]

    @Test("entries, popcounts and products match the unpacked rows", arguments: dimensions)
    func productsMatchNestedRows(d: Int) {
        var random = SeededGenerator(seed: UInt64(d))
        let a = randomMatrix(rows: 9, columns: d, density: 0.5, using: &random)
        let b = randomMatrix(rows: 5, columns: d, density: 0.6, using: &random)
        let c = randomMatrix(rows: 4, columns: d, density: 0.7, using: &random)
        let (rowsA, rowsB, rowsC) = (a.nestedRows, b.nestedRows, c.nestedRows)
        #expect(a.wordsPerRow == (d + 63) / 64)
        #expect(a.popcounts == rowsA.map { $0.reduce(0, +) })
        for i in 0..<9 {
            for j in 0..<5 {
                #expect(a.innerProduct(row: i, with: b, row: j) == Reference.innerProduct(rowsA[i], rowsB[j]))
                for k in 0..<4 {
                    let product = (0..<d).reduce(0) { $0 + rowsA[i][$1] * rowsB[j][$1] * rowsC[k][$1] }
                    #expect(a.tripleProduct(row: i, with: b, row: j, and: c, row: k) == product)
                }
            }
        }
    }

    @Test("setting and clearing bits round-trips and leaves the padding zero", arguments: dimensions)
    func subscriptRoundTrip(d: Int) throws {
        var random = SeededGenerator(seed: 7 + UInt64(d))
        let expected = (0..<6).map { _ in (0..<d).map { _ in Int.random(in: 0...1, using: &random) } }
        var matrix = BinaryMatrix(rows: 6, columns: d)
        for i in 0..<6 {
            for q in 0..<d { matrix[i, q] = true }  // set everything, then clear the zeros
            for q in 0..<d where expected[i][q] == 0 { matrix[i, q] = false }
        }
        #expect(matrix.nestedRows == expected)
        #expect(matrix == (try BinaryMatrix(validating: expected)))
        #expect(matrix.popcounts == expected.map { $0.reduce(0, +) })
        matrix.withUnsafePackedWords { words in
            let lastBits = d % 64
            if lastBits != 0 {
                for i in 0..<6 { #expect(words[i * matrix.wordsPerRow + matrix.wordsPerRow - 1] >> lastBits == 0) }
            }
        }
    }

    @Test("row-major floats, doubles, bytes and tensors round-trip", arguments: dimensions)
    func conversionsRoundTrip(d: Int) throws {
        var random = SeededGenerator(seed: 99 + UInt64(d))
        let matrix = randomMatrix(rows: 5, columns: d, density: 0.4, using: &random)
        let floats: [Float] = matrix.rowMajor()
        let doubles: [Double] = matrix.rowMajor()
        let bytes: [UInt8] = matrix.rowMajor()
        #expect(floats.count == 5 * d && Set(floats).isSubset(of: [0, 1]))
        #expect(try BinaryMatrix(validating: floats, rows: 5, columns: d) == matrix)
        #expect(try BinaryMatrix(validating: doubles, rows: 5, columns: d) == matrix)
        #expect(try BinaryMatrix(validating: bytes, rows: 5, columns: d) == matrix)
        let tensor: Tensor<Float> = matrix.tensor()
        #expect(tensor.shape == [5, d] && tensor.elements == floats)
        #expect(try BinaryMatrix(validating: tensor) == matrix)
        #expect(try BinaryMatrix(validating: matrix.tensor(Double.self)) == matrix)
        #expect(try BinaryMatrix(validating: matrix.nestedRows) == matrix)
    }

    @Test("loading rejects non-binary entries, NaN and wrong shapes with the position")
    func loadingRejectsBadData() throws {
        #expect(throws: HardnessError.nonBinaryEntry(row: 1, column: 0, value: "0.5")) {
            try BinaryMatrix(validating: [0, 1, 0.5, 1] as [Double], rows: 2, columns: 2)
        }
        #expect(throws: HardnessError.notANumber(row: 0, column: 1)) {
            try BinaryMatrix(validating: [0, .nan, 1, 1] as [Float], rows: 2, columns: 2)
        }
        #expect(throws: HardnessError.nonBinaryEntry(row: 0, column: 2, value: "2")) {
            try BinaryMatrix(validating: [1, 0, 2] as [UInt8], rows: 1, columns: 3)
        }
        #expect(throws: HardnessError.nonBinaryEntry(row: 0, column: 0, value: "-1")) {
            try BinaryMatrix(validating: [[-1, 0]])
        }
        #expect(throws: HardnessError.elementCountMismatch(expected: 6, actual: 5)) {
            try BinaryMatrix(validating: [0, 1, 0, 1, 0] as [Int], rows: 2, columns: 3)
        }
        #expect(throws: HardnessError.invalidShape(rows: -1, columns: 3)) {
            try BinaryMatrix(validating: [] as [Int], rows: -1, columns: 3)
        }
        #expect(throws: HardnessError.raggedRows(row: 1, length: 1, expected: 2)) {
            try BinaryMatrix(validating: [[0, 1], [1]])
        }
        #expect(throws: HardnessError.notAMatrix(shape: [2, 2, 1])) {
            try BinaryMatrix(validating: Tensor<Float>(zeros: [2, 2, 1]))
        }
        #expect(try BinaryMatrix(validating: [-0.0, 1] as [Double], rows: 1, columns: 2).nestedRows == [[0, 1]])
        #expect("\(HardnessError.nonBinaryEntry(row: 1, column: 0, value: "0.5"))".contains("row 1, column 0"))
    }
}
