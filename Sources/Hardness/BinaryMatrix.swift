/// An n × d matrix of 0/1 entries: the vectors of one set of a hardness instance, one vector per row.
///
/// Each row is packed into `wordsPerRow` = ⌈d/64⌉ `UInt64` words (bit `q % 64` of word `q / 64` holds
/// column `q`), so an inner product of two rows is `wordsPerRow` ANDs and popcounts. Bits past column d−1
/// are always zero. Storage is n·⌈d/64⌉·8 bytes.
public struct BinaryMatrix: Sendable, Equatable {
    /// Number of vectors (n).
    public let rows: Int
    /// Dimension of each vector (d).
    public let columns: Int
    /// Words per packed row: ⌈d/64⌉, and at least 1 so every row has an address.
    public let wordsPerRow: Int
    /// Row-major packed bits; at least one word so the buffer always has a base address.
    var words: [UInt64]

    /// An all-zero matrix.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "negative shape \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.wordsPerRow = max(1, (columns + 63) / 64)
        self.words = [UInt64](repeating: 0, count: max(1, rows * wordsPerRow))
    }

    /// A matrix whose entry (i, q) is `entry(i, q)`.
    public init(rows: Int, columns: Int, entry: (_ row: Int, _ column: Int) throws -> Bool) rethrows {
        self.init(rows: rows, columns: columns)
        for i in 0..<rows {
            for q in 0..<columns where try entry(i, q) {
                words[i * wordsPerRow + q >> 6] |= 1 << UInt64(q & 63)
            }
        }
    }

    /// Entry (row, column) as a Bool (true = 1).
    public subscript(row: Int, column: Int) -> Bool {
        get {
            checkIndex(row, column)
            return words[row * wordsPerRow + column >> 6] >> UInt64(column & 63) & 1 == 1
        }
        set {
            checkIndex(row, column)
            let bit: UInt64 = 1 << UInt64(column & 63)
            if newValue {
                words[row * wordsPerRow + column >> 6] |= bit
            } else {
                words[row * wordsPerRow + column >> 6] &= ~bit
            }
        }
    }

    private func checkIndex(_ row: Int, _ column: Int) {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                     "entry (\(row), \(column)) out of range for \(rows) × \(columns)")
    }

    /// Number of ones in `row` (‖v‖₁ = ‖v‖₂², since entries are 0/1). Cost O(d/64).
    public func popcount(row: Int) -> Int {
        precondition(row >= 0 && row < rows, "row \(row) out of range for \(rows) rows")
        var total = 0
        for w in 0..<wordsPerRow { total += words[row * wordsPerRow + w].nonzeroBitCount }
        return total
    }

    /// The popcount of every row, in row order. Cost O(n·d/64).
    public var popcounts: [Int] {
        (0..<rows).map { popcount(row: $0) }
    }

    /// ⟨self[i], other[j]⟩ = number of columns where both rows are 1. Cost O(d/64).
    public func innerProduct(row i: Int, with other: BinaryMatrix, row j: Int) -> Int {
        precondition(columns == other.columns, "dimensions differ: \(columns) vs \(other.columns)")
        precondition(i >= 0 && i < rows && j >= 0 && j < other.rows, "rows (\(i), \(j)) out of range")
        return words.withUnsafeBufferPointer { x in
            other.words.withUnsafeBufferPointer { y in
                andPopcount(x.baseAddress! + i * wordsPerRow, y.baseAddress! + j * wordsPerRow, wordsPerRow)
            }
        }
    }

    /// Σ_q self[i][q]·b[j][q]·c[k][q], the 3-OV product (0 iff the triple is orthogonal). Cost O(d/64).
    public func tripleProduct(row i: Int, with b: BinaryMatrix, row j: Int, and c: BinaryMatrix, row k: Int) -> Int {
        precondition(columns == b.columns && columns == c.columns, "dimensions differ")
        precondition(i >= 0 && i < rows && j >= 0 && j < b.rows && k >= 0 && k < c.rows,
                     "rows (\(i), \(j), \(k)) out of range")
        var total = 0
        for w in 0..<wordsPerRow {
            let word = words[i * wordsPerRow + w] & b.words[j * wordsPerRow + w] & c.words[k * wordsPerRow + w]
            total += word.nonzeroBitCount
        }
        return total
    }

    /// Calls `body` with the packed rows: row i is words `i·wordsPerRow ..< (i+1)·wordsPerRow`.
    public func withUnsafePackedWords<R>(_ body: (UnsafeBufferPointer<UInt64>) throws -> R) rethrows -> R {
        try words.withUnsafeBufferPointer(body)
    }
}

/// Popcount of `x AND y` over `count` words: the inner product of two packed 0/1 rows.
@inline(__always)
func andPopcount(_ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>, _ count: Int) -> Int {
    var total = 0
    for w in 0..<count { total &+= (x[w] & y[w]).nonzeroBitCount }
    return total
}
