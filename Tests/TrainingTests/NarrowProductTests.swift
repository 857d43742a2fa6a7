import Kernels
import Testing
@testable import Training

/// The narrow products (register tiles of 2 rows × 32 columns, 4-way dot products, 64-row blocks) against
/// Float64 products on shapes that leave every kind of remainder: a last odd row, columns past the last
/// whole tile, an inner size not a multiple of 4, more than one 64-row block.
@Suite struct NarrowProductTests {
    static let shapes: [(rows: Int, inner: Int, columns: Int)] = [(1, 1, 1), (7, 17, 65), (129, 33, 7), (65, 7, 96), (130, 65, 33)]

    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1...1, using: &generator) }
    }

    private func expectClose(_ actual: [Float], _ expected: [Double], _ label: String) {
        let worst = zip(actual, expected).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "\(label): relative error \(worst)")
    }

    @Test(arguments: shapes) func productAccumulate(_ shape: (rows: Int, inner: Int, columns: Int)) {
        let (r, k, n) = shape
        let (x, w) = (values(r * k, seed: 1), values(k * n, seed: 2))
        var y = values(r * n, seed: 3)
        let expected = (0..<(r * n)).map { e in
            Double(y[e]) + (0..<k).reduce(0.0) { $0 + Double(x[e / n * k + $1]) * Double(w[$1 * n + e % n]) }
        }
        narrowProductAccumulate(x, w, into: &y, rows: r, inner: k, columns: n)
        expectClose(y, expected, "x·w \(shape)")
    }

    @Test(arguments: shapes) func productTransposed(_ shape: (rows: Int, inner: Int, columns: Int)) {
        let (r, k, n) = shape
        let (dy, w) = (values(r * n, seed: 4), values(k * n, seed: 5))
        var dx = [Float](repeating: .nan, count: r * k)
        let expected = (0..<(r * k)).map { e in
            (0..<n).reduce(0.0) { $0 + Double(dy[e / k * n + $1]) * Double(w[e % k * n + $1]) }
        }
        narrowProductTransposed(dy, w, into: &dx, rows: r, inner: k, columns: n)
        expectClose(dx, expected, "dy·wᵀ \(shape)")
    }

    @Test(arguments: shapes) func outerAccumulate(_ shape: (rows: Int, inner: Int, columns: Int)) {
        let (r, k, n) = shape
        let (x, dy) = (values(r * k, seed: 6), values(r * n, seed: 7))
        var dw = values(k * n, seed: 8)
        let expected = (0..<(k * n)).map { e in
            Double(dw[e]) + (0..<r).reduce(0.0) { $0 + Double(x[$1 * k + e / n]) * Double(dy[$1 * n + e % n]) }
        }
        narrowOuterAccumulate(x, dy, into: &dw, rows: r, inner: k, columns: n)
        expectClose(dw, expected, "xᵀ·dy \(shape)")
    }
}
