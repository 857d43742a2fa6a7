/// A contiguous block of columns of Based's feature map φ(x) = [1, √s·x, (s/√2)·vec(x xᵀ)]
/// (`TaylorFeatureMap`): rows a ∈ `quadraticRows` of the D×D block, preceded by [1, √s·x] when `leading`.
/// The slices of `partition` laid side by side are φ in `TaylorFeatureMap`'s order, so the engines can
/// split φ's r = 1 + D + D² columns between threads. Cost: `width` multiplies per row.
struct TaylorFeatureSlice {
    let headDimension: Int
    let quadraticRows: Range<Int>
    let leading: Bool

    var width: Int { (leading ? 1 + headDimension : 0) + quadraticRows.count * headDimension }

    /// `parts` slices of near-equal row ranges covering φ (1 ≤ parts ≤ D).
    static func partition(headDimension d: Int, parts: Int) -> [TaylorFeatureSlice] {
        precondition(parts >= 1 && parts <= d, "a slice needs at least one row of the D×D block")
        return (0..<parts).map { p in
            TaylorFeatureSlice(headDimension: d, quadraticRows: p * d / parts ..< (p + 1) * d / parts, leading: p == 0)
        }
    }

    /// This slice of φ(x) for `rows` rows: x `[rows, D]` → out `[rows, width]`.
    func apply(_ x: UnsafePointer<Float>, rows: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let (d, w) = (headDimension, width)
        let linear = MixerVector(repeating: scale.squareRoot()), quadratic = scale / Float(2).squareRoot()
        for row in 0..<rows {
            let (xi, phi) = (x + row * d, out + row * w)
            var column = 0
            if leading {
                phi[0] = 1
                zipLanes(xi, xi, into: phi + 1, count: d) { x, _ in x * linear }
                column = 1 + d
            }
            for a in quadraticRows {
                let factor = MixerVector(repeating: quadratic * xi[a])
                zipLanes(xi, xi, into: phi + column, count: d) { x, _ in x * factor }
                column += d
            }
        }
    }

    /// This slice of φ(x) transposed: x `[rows, D]` → out `[width, rows]` (row f holds feature f of every
    /// x row, as a GEMM's untransposed A), through `columns` `[D, rows]` scratch for xᵀ. Same products as
    /// `apply`. Cost: `width` multiplies per row and one D×rows transpose.
    func applyTransposed(_ x: UnsafePointer<Float>, rows: Int, scale: Float, columns xT: UnsafeMutablePointer<Float>,
                         into out: UnsafeMutablePointer<Float>) {
        let d = headDimension
        for i in 0..<rows {
            for a in 0..<d { xT[a * rows + i] = x[i * d + a] }
        }
        let linear = MixerVector(repeating: scale.squareRoot()), quadratic = MixerVector(repeating: scale / Float(2).squareRoot())
        var feature = 0
        if leading {
            out.update(repeating: 1, count: rows)
            zipLanes(xT, xT, into: out + rows, count: d * rows) { x, _ in x * linear }
            feature = 1 + d
        }
        for a in quadraticRows {
            let xa = UnsafePointer(xT + a * rows)
            for b in 0..<d {
                zipLanes(xa, xT + b * rows, into: out + feature * rows, count: rows) { xa, xb in xb * (quadratic * xa) }
                feature += 1
            }
        }
    }
}
