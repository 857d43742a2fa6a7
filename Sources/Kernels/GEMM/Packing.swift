/// Packing copies a block of op(A) or op(B) into the contiguous, k-major panel layout the micro-kernel
/// streams through, zero-padding ragged edges so the kernel always computes a full 6 × NR tile.
/// Cost: one read and one write of the block, O(rows·depth), amortised over the block's reuse.

/// A row-major matrix operand and whether it is used transposed: op(X)[i, p] = X[i, p] or X[p, i].
struct MatrixOperand {
    let base: UnsafePointer<Float>
    let leadingDimension: Int
    let transposed: Bool

    @inline(__always) func pointer(row: Int, column: Int) -> UnsafePointer<Float> {
        transposed ? base + column * leadingDimension + row : base + row * leadingDimension + column
    }
}

/// Packs op(A)[rows, depth] into panels of `GEMMTile.rows` rows: panel q holds
/// `packed[q·kc·6 + p·6 + r] = op(A)[rows.lowerBound + 6q + r, depth.lowerBound + p]`.
func packA(_ a: MatrixOperand, rows: Range<Int>, depth: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
    let mr = GEMMTile.rows
    let kc = depth.count
    var panel = packed
    for panelStart in stride(from: rows.lowerBound, to: rows.upperBound, by: mr) {
        let valid = min(mr, rows.upperBound - panelStart)
        if a.transposed {
            for p in 0..<kc {
                let source = a.pointer(row: panelStart, column: depth.lowerBound + p)
                let target = panel + p * mr
                for r in 0..<valid { target[r] = source[r] }
                for r in valid..<mr { target[r] = 0 }
            }
        } else if valid == mr {
            // Six read streams, one sequential write stream (the store side is the bottleneck).
            let r0 = a.pointer(row: panelStart, column: depth.lowerBound)
            let r1 = r0 + a.leadingDimension, r2 = r1 + a.leadingDimension, r3 = r2 + a.leadingDimension
            let r4 = r3 + a.leadingDimension, r5 = r4 + a.leadingDimension
            let quads = kc / 4
            for q in 0..<quads {
                interleaveSixRows(r0 + 4 * q, r1 + 4 * q, r2 + 4 * q, r3 + 4 * q, r4 + 4 * q, r5 + 4 * q,
                                  into: panel + 4 * q * mr)
            }
            for p in 4 * quads..<kc {
                let target = panel + p * mr
                target[0] = r0[p]; target[1] = r1[p]; target[2] = r2[p]
                target[3] = r3[p]; target[4] = r4[p]; target[5] = r5[p]
            }
        } else {
            for r in 0..<mr {
                if r < valid {
                    let source = a.pointer(row: panelStart + r, column: depth.lowerBound)
                    for p in 0..<kc { panel[p * mr + r] = source[p] }
                } else {
                    for p in 0..<kc { panel[p * mr + r] = 0 }
                }
            }
        }
        panel += kc * mr
    }
}

/// Writes 4 depth steps of a 6-row panel, `target[p·6 + r] = rows[r][p]` for p < 4, as six 4-float
/// stores built by shuffles from six 4-float loads (a 4 × 4 transpose of rows 0–3 plus rows 4–5
/// interleaved), instead of 24 scalar load/store pairs.
@inline(__always)
private func interleaveSixRows(
    _ r0: UnsafePointer<Float>, _ r1: UnsafePointer<Float>, _ r2: UnsafePointer<Float>,
    _ r3: UnsafePointer<Float>, _ r4: UnsafePointer<Float>, _ r5: UnsafePointer<Float>,
    into target: UnsafeMutablePointer<Float>
) {
    func load(_ row: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(row).loadUnaligned(as: SIMD4<Float>.self) }
    let a = load(r0), b = load(r1), c = load(r2), d = load(r3), e = load(r4), f = load(r5)
    let out = UnsafeMutableRawPointer(target)
    out.storeBytes(of: SIMD4(a[0], b[0], c[0], d[0]), toByteOffset: 0, as: SIMD4<Float>.self)
    out.storeBytes(of: SIMD4(e[0], f[0], a[1], b[1]), toByteOffset: 16, as: SIMD4<Float>.self)
    out.storeBytes(of: SIMD4(c[1], d[1], e[1], f[1]), toByteOffset: 32, as: SIMD4<Float>.self)
    out.storeBytes(of: SIMD4(a[2], b[2], c[2], d[2]), toByteOffset: 48, as: SIMD4<Float>.self)
    out.storeBytes(of: SIMD4(e[2], f[2], a[3], b[3]), toByteOffset: 64, as: SIMD4<Float>.self)
    out.storeBytes(of: SIMD4(c[3], d[3], e[3], f[3]), toByteOffset: 80, as: SIMD4<Float>.self)
}

/// Packs op(B)[depth, columns] into panels of `GEMMTile.columns` columns: panel q holds
/// `packed[q·kc·NR + p·NR + j] = op(B)[depth.lowerBound + p, columns.lowerBound + NR·q + j]`.
func packB(_ b: MatrixOperand, depth: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
    let nr = GEMMTile.columns
    let kc = depth.count
    if !b.transposed {
        // Full panels row by row: each depth step reads one contiguous row of B (sequential for the
        // prefetcher) and writes one tile row into every panel, as vector loads and stores.
        let fullPanels = columns.count / nr
        for p in 0..<kc {
            let source = UnsafeRawPointer(b.pointer(row: depth.lowerBound + p, column: columns.lowerBound))
            let target = UnsafeMutableRawPointer(packed + p * nr)
            for q in 0..<fullPanels {
                (target + q * kc * nr * MemoryLayout<Float>.size).storeBytes(
                    of: source.loadUnaligned(fromByteOffset: q * nr * MemoryLayout<Float>.size, as: TileRow.self),
                    as: TileRow.self)
            }
        }
    }
    var panel = packed
    for panelStart in stride(from: columns.lowerBound, to: columns.upperBound, by: nr) {
        let valid = min(nr, columns.upperBound - panelStart)
        if b.transposed {
            // op(B)[p, j] = B[j, p]: 8 × 8 blocks transposed in registers, the ragged rest element by element.
            let fullColumns = valid / 8 * 8, fullDepth = kc / 8 * 8
            for j in stride(from: 0, to: fullColumns, by: 8) {
                let source = b.pointer(row: depth.lowerBound, column: panelStart + j)
                for p in stride(from: 0, to: fullDepth, by: 8) {
                    transposeEight(source + p, stride: b.leadingDimension, into: panel + p * nr + j, targetStride: nr)
                }
                for p in fullDepth..<kc {
                    for c in 0..<8 { panel[p * nr + j + c] = source[c * b.leadingDimension + p] }
                }
            }
            for j in fullColumns..<valid {
                let source = b.pointer(row: depth.lowerBound, column: panelStart + j)
                for p in 0..<kc { panel[p * nr + j] = source[p] }
            }
            if valid < nr {
                for p in 0..<kc { (panel + p * nr + valid).initialize(repeating: 0, count: nr - valid) }
            }
        } else if valid < nr {
            for p in 0..<kc {
                let source = b.pointer(row: depth.lowerBound + p, column: panelStart)
                let target = panel + p * nr
                target.update(from: source, count: valid)
                (target + valid).initialize(repeating: 0, count: nr - valid)
            }
        }
        panel += kc * nr
    }
}

/// `target[i·targetStride + r] = source[r·stride + i]` for r, i < 8: eight 8-float rows read whole and written
/// as eight 8-float columns, transposed in registers (unpack/shuffle steps) instead of 64 scalar copies.
@inline(__always)
private func transposeEight(
    _ source: UnsafePointer<Float>, stride: Int, into target: UnsafeMutablePointer<Float>, targetStride: Int
) {
    func row(_ r: Int) -> SIMD8<Float> { UnsafeRawPointer(source + r * stride).loadUnaligned(as: SIMD8<Float>.self) }
    let (r0, r1, r2, r3, r4, r5, r6, r7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    // Interleave pairs of rows, then pairs of pairs, then the halves (the 8 × 8 transpose as three shuffle rounds).
    func low(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5]) }
    func high(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7]) }
    let (t0, t1, t2, t3) = (low(r0, r1), high(r0, r1), low(r2, r3), high(r2, r3))
    let (t4, t5, t6, t7) = (low(r4, r5), high(r4, r5), low(r6, r7), high(r6, r7))
    func pairsLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5]) }
    func pairsHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7]) }
    let (u0, u1, u2, u3) = (pairsLow(t0, t2), pairsHigh(t0, t2), pairsLow(t1, t3), pairsHigh(t1, t3))
    let (u4, u5, u6, u7) = (pairsLow(t4, t6), pairsHigh(t4, t6), pairsLow(t5, t7), pairsHigh(t5, t7))
    func halves(_ a: SIMD8<Float>, _ b: SIMD8<Float>, upper: Bool) -> SIMD8<Float> {
        upper ? SIMD8(a[4], a[5], a[6], a[7], b[4], b[5], b[6], b[7]) : SIMD8(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3])
    }
    func store(_ column: SIMD8<Float>, _ i: Int) {
        UnsafeMutableRawPointer(target + i * targetStride).storeBytes(of: column, as: SIMD8<Float>.self)
    }
    store(halves(u0, u4, upper: false), 0); store(halves(u1, u5, upper: false), 1)
    store(halves(u2, u6, upper: false), 2); store(halves(u3, u7, upper: false), 3)
    store(halves(u0, u4, upper: true), 4); store(halves(u1, u5, upper: true), 5)
    store(halves(u2, u6, upper: true), 6); store(halves(u3, u7, upper: true), 7)
}
