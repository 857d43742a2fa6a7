/// A rectangular block of a row-major Float matrix: `rows × columns` elements, row i starting at
/// `base + i·stride`. A view, not storage: Strassen's recursion cuts operands into quadrants with it.
struct MatrixBlock {
    let base: UnsafeMutablePointer<Float>
    let rows: Int
    let columns: Int
    let stride: Int

    init(base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.stride = stride
    }

    /// A view of a read-only operand; the recursion never writes through it.
    init(readOnly base: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int) {
        self.init(base: UnsafeMutablePointer(mutating: base), rows: rows, columns: columns, stride: stride)
    }

    /// The top-left `rows × columns` part.
    func leading(rows: Int, columns: Int) -> MatrixBlock {
        MatrixBlock(base: base, rows: rows, columns: columns, stride: stride)
    }

    /// Quadrant (i, j), i and j in {0, 1}, of a block whose dimensions are even.
    func quadrant(_ i: Int, _ j: Int) -> MatrixBlock {
        let halfRows = rows / 2, halfColumns = columns / 2
        return MatrixBlock(base: base + i * halfRows * stride + j * halfColumns,
                           rows: halfRows, columns: halfColumns, stride: stride)
    }
}
