// `Tensor<Float>` conveniences over the pointer kernels: the last dimension is the row.

extension Tensor where Scalar == Float {
    /// Number of rows when the last dimension is the row (1 for a rank-0 tensor).
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// Softmax over the last dimension, in place (see `softmaxRows(_:rows:columns:rowStride:)`).
    public mutating func softmaxLastDimension() {
        let columns = shape.last ?? 1
        let rows = rowCount
        withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            softmaxRows(base, rows: rows, columns: columns, rowStride: columns)
        }
    }

    /// log Σ e^x over the last dimension: a tensor of shape `shape.dropLast()`.
    public func logSumExpLastDimension() -> Tensor {
        let columns = shape.last ?? 1
        var result = Tensor(zeros: Array(shape.dropLast()))
        withUnsafeBufferPointer { values in
            result.withUnsafeMutableBufferPointer { output in
                guard let base = values.baseAddress, let target = output.baseAddress else { return }
                logSumExpRows(base, rows: rowCount, columns: columns, rowStride: columns, into: target)
            }
        }
        return result
    }
}
