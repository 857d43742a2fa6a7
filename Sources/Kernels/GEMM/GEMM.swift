/// Single-precision general matrix multiply, `C = α·op(A)·op(B) + β·C`, row-major.
///
/// Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]. With `transposeA` A is stored [k, m]
/// (row stride `lda ≥ m`), otherwise [m, k] (`lda ≥ k`); likewise B. `ldc ≥ n`.
/// Cost: 2·m·n·k FLOPs. As in BLAS, `β = 0` means C is write-only (NaN in it does not propagate).
///
/// Algorithm (Goto/BLIS): the k dimension is cut into blocks of `kc`; for each, a `kc × nc` block of
/// op(B) is packed into NR-column panels (L2/L3), and an `mc × kc` block of op(A) into 6-row
/// panels; the 6 × NR register micro-kernel (NR = 64/16/8 lanes on AVX-512/AVX2/128-bit) then sweeps the
/// tiles. With several threads C is split into disjoint blocks (rows, or columns when there are too few
/// rows), each computed independently. Tile and block sizes per instruction set: `GEMMTile`.
public func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
    threads: Int = Parallelism.defaultThreads
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
    precondition(lda >= max(1, transposeA ? m : k), "lda too small")
    precondition(ldb >= max(1, transposeB ? k : n), "ldb too small")
    precondition(ldc >= max(1, n), "ldc too small")
    if m == 0 || n == 0 { return }
    let problem = GEMMProblem(
        a: MatrixOperand(base: a, leadingDimension: lda, transposed: transposeA),
        b: MatrixOperand(base: b, leadingDimension: ldb, transposed: transposeB),
        c: c, ldc: ldc, k: k, alpha: alpha, beta: beta)
    if k == 0 || alpha == 0 {
        problem.scaleC(rows: 0..<m, columns: 0..<n)
        return
    }
    // Below ~1 MFLOP per thread the fork-join and packing cost more than they save.
    let useful = max(1, min(threads, (2 * m * n * k) / 1_000_000))
    let split = GEMMSplit(m: m, n: n, parts: useful)
    // Each thread packs its own op(B) panels: sharing one packed block between the threads was
    // measured 5–15% slower here (a fork-join per block and panels crossing between the cores' L2s).
    let shared = UncheckedSendable(problem)
    parallelFor(split.parts, threads: useful) { part in
        let (rows, columns) = split.block(part)
        shared.value.compute(rows: rows, columns: columns)
    }
}

/// How C is cut into `parts` disjoint blocks for threads: along rows when there are at least as many
/// 6-row tiles as NR-column tiles per part, else along columns (attention-shaped n = 64 splits rows).
struct GEMMSplit {
    let m: Int, n: Int, parts: Int
    let alongRows: Bool

    init(m: Int, n: Int, parts: Int) {
        let rowTiles = (m + GEMMTile.rows - 1) / GEMMTile.rows
        let columnTiles = (n + GEMMTile.columns - 1) / GEMMTile.columns
        alongRows = rowTiles * GEMMTile.rows >= columnTiles * GEMMTile.columns / 4 || columnTiles < parts
        self.m = m
        self.n = n
        self.parts = max(1, min(parts, alongRows ? rowTiles : columnTiles))
    }

    func block(_ part: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let tile = alongRows ? GEMMTile.rows : GEMMTile.columns
        let extent = alongRows ? m : n
        let tiles = (extent + tile - 1) / tile
        let range = min(extent, part * tiles / parts * tile)..<min(extent, (part + 1) * tiles / parts * tile)
        return alongRows ? (range, 0..<n) : (0..<m, range)
    }
}

/// One GEMM call's operands; `compute` fills any block of C independently of the others.
struct GEMMProblem {
    let a: MatrixOperand
    let b: MatrixOperand
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    let k: Int
    let alpha: Float
    let beta: Float

    /// C[rows, columns] = β·C (β = 0 writes zeros), for k = 0 or α = 0.
    func scaleC(rows: Range<Int>, columns: Range<Int>) {
        for i in rows {
            let row = c + i * ldc
            for j in columns { row[j] = beta == 0 ? 0 : beta * row[j] }
        }
    }

    /// Computes the block C[rows, columns] on the calling thread.
    func compute(rows: Range<Int>, columns: Range<Int>) {
        if rows.isEmpty || columns.isEmpty { return }
        let blocking = GEMMBlocking(k: k, rows: rows.count, columns: columns.count)
        let packedB = AlignedBuffer(count: blocking.depth * blocking.columns)
        let scratch = GEMMScratch(blocking)
        defer { packedB.free(); scratch.free() }
        for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: blocking.columns) {
            let nc = min(blocking.columns, columns.upperBound - jc)
            for pc in stride(from: 0, to: k, by: blocking.depth) {
                let kc = min(blocking.depth, k - pc)
                packB(b, depth: pc..<pc + kc, columns: jc..<jc + nc, into: packedB.pointer)
                multiply(rows: rows, columns: jc..<jc + nc, depth: pc..<pc + kc, packedB: packedB.pointer,
                         scratch: scratch, blocking: blocking)
            }
        }
    }

    /// C[rows, columns] (+)= α·op(A)[rows, depth]·(packed op(B) block): runs the micro-kernel over every
    /// 6 × NR tile. op(A) is packed in `mc`-row blocks when the block is wide (each packed value is
    /// reused per NR-column panel); for narrow blocks (`GEMMTile.inPlaceColumns`, e.g. P·V in
    /// attention) packing would cost more than it saves, so full 6-row tiles of an untransposed A are
    /// read in place (a transposed A would be read one cache line per depth step, so it is packed).
    /// The first depth block applies β, later ones add.
    private func multiply(
        rows: Range<Int>, columns: Range<Int>, depth: Range<Int>, packedB: UnsafeMutablePointer<Float>,
        scratch: GEMMScratch, blocking: GEMMBlocking
    ) {
        let mr = GEMMTile.rows, nr = GEMMTile.columns
        let kc = depth.count, nc = columns.count
        let blockBeta = depth.lowerBound == 0 ? beta : 1
        let readInPlace = nc <= GEMMTile.inPlaceColumns && !a.transposed
        for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: blocking.rows) {
            let mc = min(blocking.rows, rows.upperBound - ic)
            if !readInPlace {
                packA(a, rows: ic..<ic + mc, depth: depth, into: scratch.packedA)
            }
            for ir in stride(from: 0, to: mc, by: mr) {
                let tileRows = min(mr, mc - ir)
                var panel = UnsafePointer(scratch.packedA + ir * kc)
                var rowStride = 1, depthStride = mr
                if readInPlace && tileRows == mr {
                    panel = a.pointer(row: ic + ir, column: depth.lowerBound)
                    (rowStride, depthStride) = (a.leadingDimension, 1)
                } else if readInPlace {
                    panel = UnsafePointer(scratch.packedA)
                    packA(a, rows: ic + ir..<ic + mc, depth: depth, into: scratch.packedA)
                }
                for jr in stride(from: 0, to: nc, by: nr) {
                    let bPanel = UnsafePointer(packedB + jr * kc)
                    let target = c + (ic + ir) * ldc + columns.lowerBound + jr
                    let tileColumns = min(nr, nc - jr)
                    let full = tileRows == mr && tileColumns == nr
                    let (tile, tileStride, tileBeta) = full ? (target, ldc, blockBeta) : (scratch.edge, nr, Float(0))
                    // The packed layout gets its own call so its strides are constants: the six A
                    // broadcasts then address one cursor at fixed offsets instead of a chain of adds.
                    if rowStride == 1 && depthStride == mr {
                        microKernel(depth: kc, a: panel, b: bPanel, c: tile, ldc: tileStride, alpha: alpha, beta: tileBeta)
                    } else {
                        microKernel(depth: kc, a: panel, aRowStride: rowStride, aDepthStride: depthStride,
                                    b: bPanel, c: tile, ldc: tileStride, alpha: alpha, beta: tileBeta)
                    }
                    if !full {
                        mergeEdge(scratch.edge, into: target, rows: tileRows, columns: tileColumns, beta: blockBeta)
                    }
                }
            }
        }
    }

    /// target[r, j] = tile[r, j] + β·target[r, j] for the valid part of a ragged edge tile.
    private func mergeEdge(
        _ tile: UnsafeMutablePointer<Float>, into target: UnsafeMutablePointer<Float>,
        rows: Int, columns: Int, beta: Float
    ) {
        for r in 0..<rows {
            let source = tile + r * GEMMTile.columns
            let row = target + r * ldc
            for j in 0..<columns { row[j] = beta == 0 ? source[j] : source[j] + beta * row[j] }
        }
    }
}

/// Block sizes for one problem: the `GEMMTile` maxima, shrunk to the problem where it is smaller.
struct GEMMBlocking {
    let depth: Int, rows: Int, columns: Int

    init(k: Int, rows: Int, columns: Int) {
        depth = min(GEMMTile.depth, k)
        self.rows = min(GEMMTile.blockRows, roundUp(rows, GEMMTile.rows))
        self.columns = min(GEMMTile.blockColumns, roundUp(columns, GEMMTile.columns))
    }
}

/// One thread's packed op(A) block and its 6 × NR edge tile.
struct GEMMScratch {
    let packedA: UnsafeMutablePointer<Float>
    let edge: UnsafeMutablePointer<Float>

    init(_ blocking: GEMMBlocking) {
        packedA = AlignedBuffer(count: blocking.rows * blocking.depth).pointer
        edge = AlignedBuffer(count: GEMMTile.rows * GEMMTile.columns).pointer
    }

    func free() {
        packedA.deallocate()
        edge.deallocate()
    }
}

