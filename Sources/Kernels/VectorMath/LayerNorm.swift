// LayerNorm over the last dimension of a row-major [rows, columns] matrix, forward and backward.
//
//   forward:  μ = mean(x),  σ² = mean((x − μ)²) (two-pass, so no cancellation),  rstd = 1/√(σ² + ε),
//             x̂ = (x − μ)·rstd,  y = γ·x̂ + β
//   backward: g = dy·γ,  dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),  dγ += Σ_rows dy·x̂,  dβ += Σ_rows dy
// Rows are contiguous (row r starts at r·columns). Single-threaded; cost ≈ 3 passes over x forward and
// 2 passes over (x, dy) backward, each ~4 vector operations per vector.

/// LayerNorm forward: `y[r, :] = gamma·(x[r, :] − mean[r])·rstd[r] + beta` for `rows` contiguous rows of
/// `columns` floats, saving the per-row `mean` and `rstd = 1/√(variance + epsilon)` (population variance)
/// for the backward pass. `y` may equal `x`.
public func layerNormForward(
    _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
    rows: Int, columns: Int,
    output y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
) {
    precondition(rows >= 0 && columns > 0, "LayerNorm needs a positive row length")
    let inverseCount = 1 / Float(columns)
    for row in 0..<rows {
        let xr = x + row * columns
        let rowMean = horizontalSum(sumLanes(xr, count: columns)) * inverseCount
        let center = FloatVector(repeating: rowMean)
        var squares = FloatVector()
        var i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            // Padding with the mean makes the unused lanes contribute (μ − μ)² = 0.
            let d = loadLanes(xr + i, count: n, padding: rowMean) - center
            squares = multiplyAdd(d, d, squares)
            i += vectorLanes
        }
        let rowRstd = 1 / (horizontalSum(squares) * inverseCount + epsilon).squareRoot()
        mean[row] = rowMean
        rstd[row] = rowRstd
        let scale = FloatVector(repeating: rowRstd)
        i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            let normalized = (loadLanes(xr + i, count: n, padding: 0) - center) * scale
            let g = loadLanes(gamma + i, count: n, padding: 0)
            storeLanes(multiplyAdd(normalized, g, loadLanes(beta + i, count: n, padding: 0)), y + row * columns + i, count: n)
            i += vectorLanes
        }
    }
}

/// LayerNorm backward from the saved `mean` and `rstd`: writes `dx` and *adds* this batch's parameter
/// gradients to `dgamma` and `dbeta` (zero them first for a fresh gradient). `dx` may equal `dy`.
public func layerNormBackward(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, columns: Int,
    dx: UnsafeMutablePointer<Float>, dgamma: UnsafeMutablePointer<Float>, dbeta: UnsafeMutablePointer<Float>
) {
    precondition(rows >= 0 && columns > 0, "LayerNorm needs a positive row length")
    let inverseCount = 1 / Float(columns)
    for row in 0..<rows {
        let xr = x + row * columns, dyr = dy + row * columns
        let center = FloatVector(repeating: mean[row]), scale = FloatVector(repeating: rstd[row])
        var sumG = FloatVector(), sumGX = FloatVector()
        var i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            let normalized = (loadLanes(xr + i, count: n, padding: mean[row]) - center) * scale
            let d = loadLanes(dyr + i, count: n, padding: 0)
            let g = d * loadLanes(gamma + i, count: n, padding: 0)
            sumG += g
            sumGX = multiplyAdd(g, normalized, sumGX)
            storeLanes(multiplyAdd(d, normalized, loadLanes(dgamma + i, count: n, padding: 0)), dgamma + i, count: n)
            storeLanes(loadLanes(dbeta + i, count: n, padding: 0) + d, dbeta + i, count: n)
            i += vectorLanes
        }
        let meanG = FloatVector(repeating: horizontalSum(sumG) * inverseCount)
        let meanGX = FloatVector(repeating: -horizontalSum(sumGX) * inverseCount)
        i = 0
        while i < columns {
            let n = min(vectorLanes, columns - i)
            let normalized = (loadLanes(xr + i, count: n, padding: 0) - center) * scale
            let g = loadLanes(dyr + i, count: n, padding: 0) * loadLanes(gamma + i, count: n, padding: 0)
            storeLanes(multiplyAdd(normalized, meanGX, (g - meanG)) * scale, dx + row * columns + i, count: n)
            i += vectorLanes
        }
    }
}
