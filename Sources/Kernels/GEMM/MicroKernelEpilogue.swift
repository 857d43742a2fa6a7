/// The 6 × NR register micro-kernel with a caller-supplied epilogue instead of a store: the 6 accumulator
/// rows of `a·b` are handed to `epilogue(row, accumulator)` while still in registers, so an elementwise
/// step (a softmax exp, a gradient product) is fused into the product with no extra pass over memory.
///
/// Shapes as `microKernel`: A[r, p] is `a[r·aRowStride + p·aDepthStride]` (a packed [kc, 6] panel by
/// default, or 6 rows of a row-major matrix read in place), B[p, j] is `b[p·ldb + j]` for j < NR.
/// Cost 12·NR·kc FLOPs; reads 4·(6 + NR) bytes per depth step, writes nothing itself.
@inlinable @inline(__always)
public func microKernel(
    depth kc: Int, a: UnsafePointer<Float>, aRowStride: Int = 1, aDepthStride: Int = GEMMTile.rows,
    b: UnsafePointer<Float>, ldb: Int = GEMMTile.columns,
    epilogue: (_ row: Int, _ accumulator: TileRow) -> Void
) {
    var c0 = TileRow(), c1 = TileRow(), c2 = TileRow(), c3 = TileRow(), c4 = TileRow(), c5 = TileRow()
    var pa = a
    var pb = UnsafeRawPointer(b)
    let bStep = ldb * MemoryLayout<Float>.size
    for _ in 0..<kc {
        let row = pb.loadUnaligned(as: TileRow.self)
        c0 = multiplyAdd(TileRow(repeating: pa[0]), row, c0)
        c1 = multiplyAdd(TileRow(repeating: pa[aRowStride]), row, c1)
        c2 = multiplyAdd(TileRow(repeating: pa[2 * aRowStride]), row, c2)
        c3 = multiplyAdd(TileRow(repeating: pa[3 * aRowStride]), row, c3)
        c4 = multiplyAdd(TileRow(repeating: pa[4 * aRowStride]), row, c4)
        c5 = multiplyAdd(TileRow(repeating: pa[5 * aRowStride]), row, c5)
        pa += aDepthStride
        pb += bStep
    }
    epilogue(0, c0); epilogue(1, c1); epilogue(2, c2); epilogue(3, c3); epilogue(4, c4); epilogue(5, c5)
}
