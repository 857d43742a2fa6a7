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
        var squares = SIMD16<Float>()
        var i = 0
        while i < columns {
            let v = loadLanes(xr + i, count: min(16, columns - i), padding: 0)
            squares = squares.addingProduct(v, v)
            i += 16
        }
        let rowRstd = 1 / (horizontalSum(squares) * inverseCount + epsilon).squareRoot()
        rstd[row] = rowRstd
        let scale = SIMD16<Float>(repeating: rowRstd)
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
        let scale = SIMD16<Float>(repeating: rstd[row])
        var sumGX = SIMD16<Float>()
        var i = 0
        while i < columns {
            let n = min(16, columns - i)
            let normalized = loadLanes(xr + i, count: n, padding: 0) * scale
            let d = loadLanes(dyr + i, count: n, padding: 0)
            sumGX = sumGX.addingProduct(d * loadLanes(gamma + i, count: n, padding: 0), normalized)
            storeLanes(loadLanes(dgamma + i, count: n, padding: 0).addingProduct(d, normalized), dgamma + i, count: n)
            i += 16
        }
        let meanGX = SIMD16<Float>(repeating: -horizontalSum(sumGX) * inverseCount)
        i = 0
        while i < columns {
            let n = min(16, columns - i)
            let normalized = loadLanes(xr + i, count: n, padding: 0) * scale
            let g = loadLanes(dyr + i, count: n, padding: 0) * loadLanes(gamma + i, count: n, padding: 0)
            storeLanes(g.addingProduct(normalized, meanGX) * scale, dx + row * columns + i, count: n)
            i += 16
        }
    }
}
