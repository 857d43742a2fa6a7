import Kernels

/// sums (+)= Σ_i w_i·x_i over the rows of x `[rows, width]` (w_i = 1 without weights).
func weightedColumnSums(_ x: UnsafePointer<Float>, rows: Int, width: Int, weights: UnsafePointer<Float>?,
                        into sums: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
    if !accumulate { sums.update(repeating: 0, count: width) }
    for i in 0..<rows { addScaled(x + i * width, weights?[i] ?? 1, into: sums, count: width) }
}

/// One worker's buffers for `ChunkedFeatureAttentionBackward`: a C×C score tile, φq, φk, dφq, dφk `[C, r]`,
/// g `[C, D]`, dden `[C]`, a transpose buffer `[max(r, D), C]` and a transposed state `[D, r]`.
struct FeatureBackwardScratch {
    let scores, queries, keys, gradQueries, gradKeys, gradNumerator, gradDenominator: UnsafeMutablePointer<Float>
    let transposed, stateTransposed: UnsafeMutablePointer<Float>

    static func floats(chunk: Int, features r: Int, headDimension d: Int) -> Int {
        chunk * chunk + 4 * chunk * r + chunk * d + chunk + chunk * max(r, d) + d * r
    }

    init(_ base: UnsafeMutablePointer<Float>, chunk: Int, features r: Int, headDimension d: Int) {
        let block = chunk * r
        scores = base
        (queries, keys) = (base + chunk * chunk, base + chunk * chunk + block)
        (gradQueries, gradKeys) = (queries + 2 * block, queries + 3 * block)
        gradNumerator = queries + 4 * block
        gradDenominator = gradNumerator + chunk * d
        transposed = gradDenominator + chunk
        stateTransposed = transposed + chunk * max(r, d)
    }

    /// `scores[i, j] = x_i·y_j` for j ≤ i, 0 above the diagonal (`[L, L]`, row stride C) from x, y `[L, w]`.
    func maskedProduct(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, width w: Int, chunk: Int) {
        transpose(y, rows: count, columns: w, into: transposed, ld: chunk)
        smallGEMM(m: count, n: count, k: w, a: x, lda: w, b: transposed, ldb: chunk, c: scores, ldc: chunk,
                  triangle: .lowerC)
    }
}
