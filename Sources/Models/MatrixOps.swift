import Kernels

// Matrix operations on tensors viewed as matrices: every dimension but the last counts as a row, so
// activations `[B, N, m]` are `[B·N, m]` matrices. Internal building blocks of the models.

extension Tensor where Scalar == Float {
    /// Columns of the matrix view (the last dimension).
    var matrixColumns: Int { shape.last ?? 1 }
    /// Rows of the matrix view (all other dimensions).
    var matrixRows: Int { matrixColumns == 0 ? 0 : count / matrixColumns }
}

/// `c = op(a)·op(b)` (or `c += …` with `accumulate`) through `gemm`. op(a) is [M, K], op(b) [K, N],
/// c [M, N], each as matrix views; a transposed operand is stored [K, M] / [N, K]. Cost 2·M·N·K FLOPs.
func multiplyMatrices(
    _ a: Tensor<Float>, transposeA: Bool = false, _ b: Tensor<Float>, transposeB: Bool = false,
    into c: inout Tensor<Float>, accumulate: Bool = false, threads: Int
) {
    let (m, k) = transposeA ? (a.matrixColumns, a.matrixRows) : (a.matrixRows, a.matrixColumns)
    let (k2, n) = transposeB ? (b.matrixColumns, b.matrixRows) : (b.matrixRows, b.matrixColumns)
    precondition(k == k2 && c.matrixRows == m && c.matrixColumns == n,
                 "matrix product of \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") into \(c.shape)")
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                     a: a.baseAddress!, lda: max(1, transposeA ? m : k), b: b.baseAddress!, ldb: max(1, transposeB ? k : n),
                     beta: accumulate ? 1 : 0, c: c.baseAddress!, ldc: max(1, n), threads: threads)
            }
        }
    }
}

/// op(a)·op(b) as a new `[M, N]` tensor (see `multiplyMatrices`).
func matrixProduct(
    _ a: Tensor<Float>, transposeA: Bool = false, _ b: Tensor<Float>, transposeB: Bool = false, threads: Int
) -> Tensor<Float> {
    let rows = transposeA ? a.matrixColumns : a.matrixRows
    let columns = transposeB ? b.matrixRows : b.matrixColumns
    var c = Tensor<Float>(zeros: [rows, columns])
    multiplyMatrices(a, transposeA: transposeA, b, transposeB: transposeB, into: &c, threads: threads)
    return c
}

/// `x += y` elementwise (equal element counts). O(count).
func addInPlace(_ y: Tensor<Float>, to x: inout Tensor<Float>) {
    precondition(x.count == y.count, "adding \(y.shape) to \(x.shape)")
    y.withUnsafeBufferPointer { y in
        x.withUnsafeMutableBufferPointer { x in
            let source = y.baseAddress!, target = x.baseAddress!
            for i in 0..<x.count { target[i] += source[i] }
        }
    }
}

/// `x[r, :] += bias` for every row of the matrix view of `x`; bias `[columns]`. O(count).
func addRowVector(_ bias: Tensor<Float>, to x: inout Tensor<Float>) {
    let rows = x.matrixRows, columns = x.matrixColumns
    precondition(bias.count == columns, "bias \(bias.shape) for rows of \(columns)")
    bias.withUnsafeBufferPointer { bias in
        x.withUnsafeMutableBufferPointer { x in
            let b = bias.baseAddress!
            for row in 0..<rows {
                let target = x.baseAddress! + row * columns
                for j in 0..<columns { target[j] += b[j] }
            }
        }
    }
}

/// `sums[j] = Σ_r x[r, j]` over the rows of the matrix view of `x`: the gradient of a bias. O(count).
func columnSums(_ x: Tensor<Float>) -> Tensor<Float> {
    let rows = x.matrixRows, columns = x.matrixColumns
    var sums = Tensor<Float>(zeros: [columns])
    x.withUnsafeBufferPointer { x in
        sums.withUnsafeMutableBufferPointer { sums in
            let target = sums.baseAddress!
            for row in 0..<rows {
                let source = x.baseAddress! + row * columns
                for j in 0..<columns { target[j] += source[j] }
            }
        }
    }
    return sums
}

/// Copies `width` columns of `source` (`[rows, W_s]`, from column `sourceColumn`) into `target`
/// (`[rows, W_t]`, from column `targetColumn`). How per-head weights enter and leave the fused
/// projection matrices. O(rows·width).
func copyColumns(
    _ source: Tensor<Float>, from sourceColumn: Int, into target: inout Tensor<Float>, at targetColumn: Int, width: Int
) {
    let rows = source.matrixRows, sourceWidth = source.matrixColumns, targetWidth = target.matrixColumns
    precondition(target.matrixRows == rows && sourceColumn + width <= sourceWidth && targetColumn + width <= targetWidth,
                 "copying \(width) columns of \(source.shape) into \(target.shape)")
    source.withUnsafeBufferPointer { source in
        target.withUnsafeMutableBufferPointer { target in
            for row in 0..<rows {
                (target.baseAddress! + row * targetWidth + targetColumn)
                    .update(from: source.baseAddress! + row * sourceWidth + sourceColumn, count: width)
            }
        }
    }
}

/// Columns `first ..< first + width` of a matrix as a new `[rows, width]` tensor.
func columns(_ source: Tensor<Float>, from first: Int, width: Int) -> Tensor<Float> {
    var result = Tensor<Float>(zeros: [source.matrixRows, width])
    copyColumns(source, from: first, into: &result, at: 0, width: width)
    return result
}
