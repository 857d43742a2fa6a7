import Kernels

/// Conversions between `BinaryMatrix` and the dense forms files and models use: row-major arrays of
/// floats, doubles, bytes or integers, rank-2 tensors, and nested rows. Loading checks every entry.
extension BinaryMatrix {
    /// Packs row-major floating-point data (e.g. a float32/float64 `.npy` array), rejecting NaN and every
    /// value other than 0 and 1 (−0 counts as 0). Cost O(n·d).
    public init<S: BinaryFloatingPoint>(validating values: [S], rows: Int, columns: Int) throws {
        try self.init(checkedRows: rows, columns: columns, count: values.count) { index, row, column in
            let value = values[index]
            if value.isNaN { throw HardnessError.notANumber(row: row, column: column) }
            if value == 0 { return false }
            if value == 1 { return true }
            throw HardnessError.nonBinaryEntry(row: row, column: column, value: "\(Double(value))")
        }
    }

    /// Packs row-major integer data (e.g. a uint8/int64 `.npy` array), rejecting every value other than
    /// 0 and 1. Cost O(n·d).
    public init<I: BinaryInteger>(validating values: [I], rows: Int, columns: Int) throws {
        try self.init(checkedRows: rows, columns: columns, count: values.count) { index, row, column in
            let value = values[index]
            if value == 0 { return false }
            if value == 1 { return true }
            throw HardnessError.nonBinaryEntry(row: row, column: column, value: "\(value)")
        }
    }

    /// Packs a rank-2 tensor `[n, d]`. Cost O(n·d).
    public init<S: TensorScalar>(validating tensor: Tensor<S>) throws {
        guard tensor.rank == 2 else { throw HardnessError.notAMatrix(shape: tensor.shape) }
        try self.init(validating: tensor.elements, rows: tensor.shape[0], columns: tensor.shape[1])
    }

    /// Packs nested rows, all of the same length (an empty list is a 0 × 0 matrix).
    public init<I: BinaryInteger>(validating nestedRows: [[I]]) throws {
        let columns = nestedRows.first?.count ?? 0
        if let row = nestedRows.firstIndex(where: { $0.count != columns }) {
            throw HardnessError.raggedRows(row: row, length: nestedRows[row].count, expected: columns)
        }
        try self.init(validating: nestedRows.flatMap { $0 }, rows: nestedRows.count, columns: columns)
    }

    private init(checkedRows rows: Int, columns: Int, count: Int,
                 entry: (_ index: Int, _ row: Int, _ column: Int) throws -> Bool) throws {
        guard rows >= 0, columns >= 0 else { throw HardnessError.invalidShape(rows: rows, columns: columns) }
        guard count == rows * columns else {
            throw HardnessError.elementCountMismatch(expected: rows * columns, actual: count)
        }
        try self.init(rows: rows, columns: columns) { row, column in try entry(row * columns + column, row, column) }
    }

    /// The entries as 0/1 values of type `S`, row-major (n·d values).
    public func rowMajor<S: Numeric>(_: S.Type = S.self) -> [S] {
        var values = [S](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for q in 0..<columns where self[i, q] { values[i * columns + q] = 1 }
        }
        return values
    }

    /// The entries as a tensor of shape `[n, d]` holding 0 and 1.
    public func tensor<S: TensorScalar>(_: S.Type = S.self) -> Tensor<S> {
        Tensor(shape: [rows, columns], elements: rowMajor(S.self))
    }

    /// The rows as nested arrays of 0/1 integers.
    public var nestedRows: [[Int]] {
        (0..<rows).map { i in (0..<columns).map { self[i, $0] ? 1 : 0 } }
    }
}
