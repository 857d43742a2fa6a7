import Kernels

// The fused projection of one paper layer: a single `[m, 3·H·D]` matrix whose product with X gives the
// queries, keys and values of all H heads, each padded with zero columns to the common head dimension
// D = max(k, m) (see `PaperTransformer`). Column blocks: queries of head h at h·D, keys at (H + h)·D,
// values at (2H + h)·D; each block holds k (queries, keys) or m (values) real columns, then zeros.

extension PaperLayer {
    /// The fused `[m, 3·H·D]` projection of this layer's heads. O(m·H·D) copies.
    func fusedProjection(embedding m: Int, headDimension d: Int) -> Tensor<Float> {
        let h = heads.count
        var fused = Tensor<Float>(zeros: [m, 3 * h * d])
        for (index, head) in heads.enumerated() {
            copyColumns(head.queryWeight, from: 0, into: &fused, at: index * d, width: head.queryWeight.matrixColumns)
            copyColumns(head.keyWeight, from: 0, into: &fused, at: (h + index) * d, width: head.keyWeight.matrixColumns)
            copyColumns(head.valueWeight, from: 0, into: &fused, at: (2 * h + index) * d, width: m)
        }
        return fused
    }

    /// The per-head weights held in a fused `[m, 3·H·D]` matrix (the inverse of `fusedProjection`,
    /// dropping the padding): how the gradient of the fused projection becomes per-head gradients.
    static func heads(fromFused fused: Tensor<Float>, count h: Int, keyDimension k: Int, headDimension d: Int) -> [PaperHead] {
        let m = fused.matrixRows
        return (0..<h).map { index in
            PaperHead(queryWeight: columns(fused, from: index * d, width: k),
                      keyWeight: columns(fused, from: (h + index) * d, width: k),
                      valueWeight: columns(fused, from: (2 * h + index) * d, width: m))
        }
    }
}
