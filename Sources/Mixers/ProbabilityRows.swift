import Kernels

/// Row-wise softmax and its backward over explicit probability matrices (Nyström's `[N, m]` and `[m, N]`
/// kernels), the rows split over threads in blocks of at least ~64 Ki elements.
enum ProbabilityRows {
    /// `x[r, :] ← softmax(x[r, :])` for `rows` rows of `columns` contiguous floats
    /// (`Kernels.softmaxRows`, on all threads). Cost ≈ 25 vector operations per vector of elements.
    static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        forEachBlock(rows: rows, columns: columns) { range in
            softmaxRows(x + range.lowerBound * columns, rows: range.count, columns: columns, rowStride: columns)
        }
    }

    /// The gradient of the scores from that of the probabilities P = softmax(S), in place:
    /// `g[r, :] ← P[r, :] ⊙ (g[r, :] − ⟨g[r, :], P[r, :]⟩)`. Cost 4 FLOPs per element.
    static func backward(probabilities p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        forEachBlock(rows: rows, columns: columns) { range in
            for row in range {
                let (pr, gr) = (p + row * columns, g + row * columns)
                let inner = MixerVector(repeating: dotProduct(gr, pr, count: columns))
                zipLanes(gr, pr, into: gr, count: columns) { ($0 - inner) * $1 }
            }
        }
    }

    /// Runs `body` over disjoint row ranges covering 0..<rows, in parallel when there is enough work.
    private static func forEachBlock(rows: Int, columns: Int, _ body: (Range<Int>) -> Void) {
        let rowsPerBlock = max(1, (1 << 16) / max(1, columns))
        let blocks = (rows + rowsPerBlock - 1) / rowsPerBlock
        parallelFor(blocks) { block in
            body(block * rowsPerBlock..<min(rows, (block + 1) * rowsPerBlock))
        }
    }
}
