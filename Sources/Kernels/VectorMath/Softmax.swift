import Foundation

// Numerically stable softmax and log-sum-exp over the rows of a row-major matrix.
//
// Each row is shifted by its maximum before exponentiation, so logits of any size (±1e4 and beyond) give
// no overflow, and the largest term is exactly e^0 = 1, so the row sum is ≥ 1 and never underflows.
// Special rows (documented behaviour, the same for both functions):
//   • all entries −inf (a fully masked attention row), or `columns == 0`: softmax → all zeros,
//     log-sum-exp → −inf;
//   • any NaN, or any +inf: softmax → all NaN, log-sum-exp → NaN (+inf: inf − inf is undefined).
// A special row never changes any other row.

/// Replaces each of `rows` rows of `columns` floats (row r starts at `x + r·rowStride`) by its softmax:
/// `x[r, j] ← e^(x[r, j] − max_r) / Σ_k e^(x[r, k] − max_r)`. Special rows as described in Softmax.swift.
/// Single-threaded; three passes over each row (max, exp+sum, scale). Cost ≈ 25 vector operations per
/// vector of elements.
public func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rowStride: Int) {
    precondition(rows >= 0 && columns >= 0 && (rows <= 1 || rowStride >= columns), "invalid softmax layout")
    for row in 0..<rows {
        let p = x + row * rowStride
        let rowMax = maximumIgnoringNaN(p, count: columns)
        if rowMax == -.infinity {
            // Every entry is −inf or NaN: zeros for a masked row, NaN if something was NaN.
            p.update(repeating: containsNaN(p, count: columns) ? .nan : 0, count: columns)
            continue
        }
        let shift = FloatVector(repeating: rowMax)
        var sum = FloatVector()
        var i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            // Padding −inf gives e^−inf = 0 in the unused lanes, so they add nothing to the sum.
            let e = vectorExp(loadLanes(p + i, count: n, padding: -.infinity) - shift)
            storeLanes(e, p + i, count: n)
            sum += e
            i += vectorLanes
        }
        let scale = FloatVector(repeating: 1 / horizontalSum(sum))
        mapLanes(p, p, count: columns) { $0 * scale }
    }
}

/// Writes `logSumExp[r] = log Σ_j e^x[r, j]` for each of `rows` rows of `columns` floats (row r starts at
/// `x + r·rowStride`), computed stably as `max_r + log Σ_j e^(x[r, j] − max_r)`. Special rows as described
/// in Softmax.swift (−inf for fully masked rows). Single-threaded; two passes over each row.
public func logSumExpRows(
    _ x: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int, into logSumExp: UnsafeMutablePointer<Float>
) {
    precondition(rows >= 0 && columns >= 0 && (rows <= 1 || rowStride >= columns), "invalid log-sum-exp layout")
    for row in 0..<rows {
        let p = x + row * rowStride
        let rowMax = maximumIgnoringNaN(p, count: columns)
        if rowMax == -.infinity {
            logSumExp[row] = containsNaN(p, count: columns) ? .nan : -.infinity
            continue
        }
        let shift = FloatVector(repeating: rowMax)
        var sum = FloatVector()
        var i = 0
        while i < columns {
            sum += vectorExp(loadLanes(p + i, count: min(vectorLanes, columns - i), padding: -.infinity) - shift)
            i += vectorLanes
        }
        logSumExp[row] = rowMax + log(horizontalSum(sum))
    }
}

/// The largest non-NaN element of p[0..<count] (−inf if there is none).
@inline(__always)
func maximumIgnoringNaN(_ p: UnsafePointer<Float>, count: Int) -> Float {
    var largest = FloatVector(repeating: -.infinity)
    var i = 0
    while i < count {
        largest = lanewiseMax(largest, loadLanes(p + i, count: min(vectorLanes, count - i), padding: -.infinity))
        i += vectorLanes
    }
    return horizontalMax(largest)
}

/// Whether any of p[0..<count] is NaN (only called on the rare rows whose maximum is −inf).
func containsNaN(_ p: UnsafePointer<Float>, count: Int) -> Bool {
    (0..<count).contains { p[$0].isNaN }
}
