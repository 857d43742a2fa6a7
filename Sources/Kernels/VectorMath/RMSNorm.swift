// RMSNorm over the last dimension of a row-major [rows, columns] matrix, forward and backward.
//
//   forward:  rstd = 1/√(mean(x²) + ε),  x̂ = x·rstd,  y = γ·x̂
//   backward: g = dy·γ,  dx = rstd·(g − x̂·mean(g·x̂)),  dγ += Σ_rows dy·x̂
// Rows are contiguous (row r starts at r·columns). Single-threaded; 2 passes over x forward and 2 over
// (x, dy) backward.

/// RMSNorm forward: `y[r, :] = gamma·x[r, :]·rstd[r]` with `rstd[r] = 1/√(mean(x[r, :]²) + epsilon)`, saved for
/// the backward pass. `y` may equal `x`.
public func rmsNormForward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, epsilon: Float, rows: Int, columns: Int,
    output y: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
) {
    precondition(rows >= 0 && columns > 0, "RMSNorm needs a positive row length")
    let inverseCount = 1 / Float(columns)
    for row in 0..<rows {
        let xr = x + row * columns
        var squares = FloatVector()
        var i = 0
        while i < columns {
            let v = loadLanes(xr + i, count: min(vectorLanes, columns - i), padding: 0)
            squares = multiplyAdd(v, v, squares)
            i += vectorLanes
        }
        let rowRstd = 1 / (horizontalSum(squares) * inverseCount + epsilon).squareRoot()
        rstd[row] = rowRstd
        let scale = FloatVector(repeating: rowRstd)
        mapLanes(xr, gamma, y + row * columns, count: columns) { v, g in v * scale * g }
    }
}

/// RMSNorm backward from the saved `rstd`: writes `dx` and *adds* this batch's gradient to `dgamma`
/// (zero it first for a fresh gradient). `dx` may equal `dy`.
public func rmsNormBackward(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    rows: Int, columns: Int, dx: UnsafeMutablePointer<Float>, dgamma: UnsafeMutablePointer<Float>
) {
    precondition(rows >= 0 && columns > 0, "RMSNorm needs a positive row length")
    let inverseCount = 1 / Float(columns)
    for row in 0..<rows {
        let xr = x + row * columns, dyr = dy + row * columns
        let scale = FloatVector(repeating: rstd[row])
        var sumGX = FloatVector()
        var i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            let normalized = loadLanes(xr + i, count: n, padding: 0) * scale
            let d = loadLanes(dyr + i, count: n, padding: 0)
            sumGX = multiplyAdd(d * loadLanes(gamma + i, count: n, padding: 0), normalized, sumGX)
            storeLanes(multiplyAdd(d, normalized, loadLanes(dgamma + i, count: n, padding: 0)), dgamma + i, count: n)
            i += vectorLanes
        }
        let meanGX = FloatVector(repeating: -horizontalSum(sumGX) * inverseCount)
        i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            let normalized = loadLanes(xr + i, count: n, padding: 0) * scale
            let g = loadLanes(dyr + i, count: n, padding: 0) * loadLanes(gamma + i, count: n, padding: 0)
            storeLanes(multiplyAdd(normalized, meanGX, g) * scale, dx + row * columns + i, count: n)
            i += vectorLanes
        }
    }
}
