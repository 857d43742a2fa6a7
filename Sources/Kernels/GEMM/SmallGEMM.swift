/// Which zeros of a triangular product `smallGEMM` may skip (square tiles such as a chunk's L × L scores).
public enum SmallGEMMTriangle: Sendable {
    /// A dense product.
    case none
    /// op(A)[i, p] = 0 for p > i (a causal score tile times values): row i reads depth 0…i only.
    case lowerA
    /// op(A)[i, p] = 0 for p < i (the transpose of a causal tile): row i reads depth i…k−1 only.
    case upperA
    /// Only C[i, j] for j ≤ i is wanted (causal scores): tiles above the diagonal are not computed and
    /// every C[i, j] with j > i is written as 0. Not with `accumulate`.
    case lowerC
}

/// `C = op(A)·B` (or `C += op(A)·B` with `accumulate`) for operands that sit in L1/L2, on the calling
/// thread, without packing, heap allocation or threads: the per-chunk products of the linear mixers.
///
/// Shapes (row-major): op(A) [m, k] — A stored [m, k] (`lda ≥ k`) or, `transposeA`, [k, m] (`lda ≥ m`) —,
/// B [k, n] (`ldb ≥ n`), C [m, n] (`ldc ≥ n`). The 6 × NR register micro-kernel (`microKernel`) runs
/// on A read in place (6 rows broadcast with stride `lda`, or with `transposeA` 6 contiguous values per
/// depth step) and on B's rows as `TileRow` vectors. Only ragged edges are copied, into zero-padded
/// stack tiles (a 6-row A panel, an NR-column B panel, a 6 × NR C tile); k is walked in blocks of
/// `GEMMTile.depth`. Cost 2·m·n·k FLOPs, or with a `triangle` only the 6 × NR tiles that touch its
/// non-zero half (≈ half for square tiles; the skipped terms are exact zeros). Without `accumulate`, C is
/// write-only: NaN in it does not propagate.
public func smallGEMM(
    transposeA: Bool = false, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool = false, c: UnsafeMutablePointer<Float>, ldc: Int,
    triangle: SmallGEMMTriangle = .none
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
    precondition(lda >= max(1, transposeA ? m : k) && ldb >= max(1, n) && ldc >= max(1, n), "leading dimension too small")
    precondition(!(accumulate && triangle == .lowerC), "a lower-triangular C is written, not accumulated")
    let mr = GEMMTile.rows, nr = GEMMTile.columns, kc = GEMMTile.depth
    let (rowStride, depthStride) = transposeA ? (1, lda) : (lda, 1)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: kc * (mr + nr) + mr * nr) { scratch in
        let aPanel = scratch.baseAddress!, bPanel = aPanel + kc * mr, edge = bPanel + kc * nr
        for i0 in stride(from: 0, to: m, by: mr) {
            let rows = min(mr, m - i0)
            let depth: Range<Int> = switch triangle {
            case .lowerA: 0..<min(k, i0 + rows)
            case .upperA: min(k, i0)..<k
            case .none, .lowerC: 0..<k
            }
            for j0 in stride(from: 0, to: n, by: nr) {
                let columns = min(nr, n - j0)
                let target = c + i0 * ldc + j0
                if triangle == .lowerC && j0 >= i0 + rows {
                    zeroTile(target, rows: rows, columns: columns, ldc: ldc)
                    continue
                }
                // Full tiles and 4-row edges (64 = 10·6 + 4) write C in place; other edges go through `edge`.
                let full = (rows == mr || rows == 4) && columns == nr
                let (tile, tileLdc) = full ? (target, ldc) : (edge, nr)
                var tileBeta: Float = full && accumulate ? 1 : 0
                if depth.isEmpty {
                    if rows == 4 && full {
                        fourRowKernel(depth: 0, a: aPanel, rowStride: 1, depthStride: mr, b: bPanel, ldb: nr, c: tile,
                                      ldc: tileLdc, beta: tileBeta)
                    } else {
                        microKernel(depth: 0, a: aPanel, b: bPanel, c: tile, ldc: tileLdc, alpha: 1, beta: tileBeta)
                    }
                }
                for p0 in stride(from: depth.lowerBound, to: depth.upperBound, by: kc) {
                    let steps = min(kc, depth.upperBound - p0)
                    var (panel, panelRowStride, panelDepthStride) = (a + i0 * rowStride + p0 * depthStride, rowStride, depthStride)
                    if rows == 4 && columns == nr {
                        // One of the strides is 1: as a literal, the four row reads share one cursor.
                        if rowStride == 1 {
                            fourRowKernel(depth: steps, a: panel, rowStride: 1, depthStride: depthStride,
                                          b: b + p0 * ldb + j0, ldb: ldb, c: target, ldc: ldc, beta: tileBeta)
                        } else {
                            fourRowKernel(depth: steps, a: panel, rowStride: rowStride, depthStride: 1,
                                          b: b + p0 * ldb + j0, ldb: ldb, c: target, ldc: ldc, beta: tileBeta)
                        }
                        tileBeta = 1
                        continue
                    }
                    if rows < mr {
                        copyPaddedRows(panel, rows: rows, depth: steps, rowStride: rowStride, depthStride: depthStride,
                                       into: aPanel)
                        (panel, panelRowStride, panelDepthStride) = (UnsafePointer(aPanel), 1, mr)
                    }
                    var (bStart, panelLdb) = (b + p0 * ldb + j0, ldb)
                    if columns < nr {
                        copyPaddedColumns(bStart, depth: steps, columns: columns, ldb: ldb, into: bPanel)
                        (bStart, panelLdb) = (UnsafePointer(bPanel), nr)
                    }
                    tileProduct(depth: steps, a: panel, rowStride: panelRowStride, depthStride: panelDepthStride,
                                b: bStart, ldb: panelLdb, c: tile, ldc: tileLdc, beta: tileBeta)
                    tileBeta = 1
                }
                if !full {
                    for r in 0..<rows {
                        for j in 0..<columns {
                            // Without `accumulate` the old C is never read (garbage or NaN in it must not propagate).
                            target[r * ldc + j] = accumulate ? edge[r * nr + j] + target[r * ldc + j] : edge[r * nr + j]
                        }
                    }
                }
                if triangle == .lowerC && j0 + columns > i0 + 1 {
                    zeroAboveDiagonal(target, firstRow: i0, rows: rows, firstColumn: j0, columns: columns, ldc: ldc)
                }
            }
        }
    }
}

/// Writes zeros over a `rows` × `columns` tile of C (a tile above a `.lowerC` diagonal): one `TileRow`
/// store per row when the tile is NR wide, where `update(repeating:)` would be a `memset` call per row.
@inline(__always)
func zeroTile(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int) {
    for r in 0..<rows {
        if columns == GEMMTile.columns {
            UnsafeMutableRawPointer(c + r * ldc).storeBytes(of: TileRow(repeating: 0), as: TileRow.self)
        } else {
            (c + r * ldc).update(repeating: 0, count: columns)
        }
    }
}

/// Zeros C[i, j] for j > i in a tile crossing a `.lowerC` diagonal (`c` at C[firstRow, firstColumn]): an
/// NR-wide row is loaded, its lanes right of the diagonal masked off and stored whole; narrower rows are
/// cleared with `update(repeating:)`.
@inline(__always)
func zeroAboveDiagonal(
    _ c: UnsafeMutablePointer<Float>, firstRow i0: Int, rows: Int, firstColumn j0: Int, columns: Int, ldc: Int
) {
    for r in 0..<rows where i0 + r + 1 < j0 + columns {
        if columns == GEMMTile.columns {
            let row = UnsafeMutableRawPointer(c + r * ldc)
            let diagonal = FloatVector(repeating: Float(i0 + r - j0))
            let kept = TileRow.zip(row.loadUnaligned(as: TileRow.self), tileLanePositions) { value, column in
                value.replacing(with: 0, where: column .> diagonal)
            }
            row.storeBytes(of: kept, as: TileRow.self)
        } else {
            let first = max(j0, i0 + r + 1)
            (c + r * ldc + first - j0).update(repeating: 0, count: j0 + columns - first)
        }
    }
}

/// 0, 1, …, NR − 1 as the lanes of a `TileRow`: each lane's column within its tile (a constant once inlined).
@inline(__always)
var tileLanePositions: TileRow {
    var positions = TileRow(repeating: 0)
    withUnsafeMutableBytes(of: &positions) { bytes in
        let lanes = bytes.bindMemory(to: Float.self)
        for j in lanes.indices { lanes[j] = Float(j) }
    }
    return positions
}

/// One 6 × NR tile through `microKernel`, with the A strides as literals where one of them is a constant
/// (a packed panel, a transposed A with contiguous rows, a row-major A with contiguous depth): the six row
/// cursors then share one induction variable instead of six chained adds per depth step.
@inline(__always)
func tileProduct(
    depth: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float
) {
    if rowStride == 1 && depthStride == GEMMTile.rows {
        microKernel(depth: depth, a: a, b: b, ldb: ldb, c: c, ldc: ldc, alpha: 1, beta: beta)
    } else if rowStride == 1 {
        microKernel(depth: depth, a: a, aRowStride: 1, aDepthStride: depthStride, b: b, ldb: ldb, c: c, ldc: ldc,
                    alpha: 1, beta: beta)
    } else {
        microKernel(depth: depth, a: a, aRowStride: rowStride, aDepthStride: 1, b: b, ldb: ldb, c: c, ldc: ldc,
                    alpha: 1, beta: beta)
    }
}

/// A [6, depth] packed panel (strides 1, 6) from `rows` ≤ 6 rows of A read with the given strides; the
/// missing rows are zeros.
func copyPaddedRows(
    _ a: UnsafePointer<Float>, rows: Int, depth: Int, rowStride: Int, depthStride: Int,
    into panel: UnsafeMutablePointer<Float>
) {
    let mr = GEMMTile.rows
    for p in 0..<depth {
        for r in 0..<mr { panel[p * mr + r] = r < rows ? a[r * rowStride + p * depthStride] : 0 }
    }
}

/// A [depth, NR] panel from `columns` ≤ NR columns of B (row stride `ldb`); the missing columns are zeros.
func copyPaddedColumns(
    _ b: UnsafePointer<Float>, depth: Int, columns: Int, ldb: Int, into panel: UnsafeMutablePointer<Float>
) {
    let nr = GEMMTile.columns
    for p in 0..<depth {
        for j in 0..<nr { panel[p * nr + j] = j < columns ? b[p * ldb + j] : 0 }
    }
}

/// A 4 × NR tile of C from 4 rows of A read in place (A[r, p] = `a[r·rowStride + p·depthStride]`) and B's rows
/// (`ldb`): `c = a·b + beta·c` (the old c is not read when `beta == 0`). The m-edge of a 64-row product
/// (64 = 10·6 + 4) without copying a zero-padded 6-row panel or computing its 2 empty rows: 8 accumulators
/// (of 16 ymm on AVX2), 8·NR FLOPs per 4·(NR + 4) bytes read.
@inline(__always)
func fourRowKernel(
    depth: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float
) {
    var c0 = TileRow(), c1 = TileRow(), c2 = TileRow(), c3 = TileRow()
    var pa = a, pb = UnsafeRawPointer(b)
    let bStep = ldb * MemoryLayout<Float>.size
    for _ in 0..<depth {
        let row = pb.loadUnaligned(as: TileRow.self)
        c0 = multiplyAdd(TileRow(repeating: pa[0]), row, c0)
        c1 = multiplyAdd(TileRow(repeating: pa[rowStride]), row, c1)
        c2 = multiplyAdd(TileRow(repeating: pa[2 * rowStride]), row, c2)
        c3 = multiplyAdd(TileRow(repeating: pa[3 * rowStride]), row, c3)
        pa += depthStride
        pb += bStep
    }
    let keep = TileRow(repeating: beta)
    @inline(__always) func store(_ acc: TileRow, _ row: Int) {
        let target = UnsafeMutableRawPointer(c + row * ldc)
        let value = beta != 0 ? multiplyAdd(keep, target.loadUnaligned(as: TileRow.self), acc) : acc
        target.storeBytes(of: value, as: TileRow.self)
    }
    store(c0, 0); store(c1, 1); store(c2, 2); store(c3, 3)
}
