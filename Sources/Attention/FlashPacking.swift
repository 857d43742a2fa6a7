import Kernels

/// Tile sizes of the flash kernels, set by the 6 × NR register micro-kernel of this instruction set
/// (NR = 64 on AVX-512, 16 on AVX2, 8 on 128-bit SIMD; see `GEMMTile`).
enum FlashTile {
    /// Rows of a micro-kernel tile (the broadcast operand).
    static let rows = GEMMTile.rows
    /// Columns of a micro-kernel tile: NR queries (forward) or NR keys (backward) across SIMD lanes,
    /// one `TileRow`.
    @inline(__always) static var columns: Int { GEMMTile.columns }
    /// Keys per forward step: the [96, NR] score tile (≤ 24 KiB) stays in L1.
    static let keys = 96
}

/// Keys and values of one key/value head, packed once and read by every query block.
///
/// `keyRows` holds K as 6-key panels, `keyRows[(j/6)·6D + d·6 + j%6] = K[j, d]` (the row operand of
/// Sᵀ = K·Qᵀ); `valueColumns` holds Vᵀ per 96-key block as 6-dimension panels,
/// `valueColumns[b·D₆·96 + (d/6)·96·6 + j·6 + d%6] = V[96b + j, d]` (the row operand of Oᵀ += Vᵀ·Pᵀ).
/// Both are zero-padded to whole blocks. Memory: ≈ 2·N_kv·D floats per head.
struct PackedKeyValues {
    let keyRows: UnsafeMutablePointer<Float>
    let valueColumns: UnsafeMutablePointer<Float>
    let keyStride: Int    // floats per head in keyRows
    let valueStride: Int  // floats per head in valueColumns

    init(heads: Int, keyLength: Int, headDimension d: Int) {
        let blocks = (keyLength + FlashTile.keys - 1) / FlashTile.keys
        keyStride = blocks * FlashTile.keys * d
        valueStride = blocks * FlashTile.keys * roundUp(d, FlashTile.rows)
        keyRows = AlignedBuffer(count: heads * keyStride).pointer
        valueColumns = AlignedBuffer(count: heads * valueStride).pointer
    }

    func free() {
        keyRows.deallocate()
        valueColumns.deallocate()
    }

    /// Packs key block `block` of head `head` from row-major K, V `[N_kv, D]`.
    func pack(head: Int, block: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, keyLength: Int, headDimension d: Int) {
        let bc = FlashTile.keys, mr = FlashTile.rows
        let first = block * bc, valid = min(bc, keyLength - first)
        let keyTarget = keyRows + head * keyStride + first * d
        for panel in 0..<bc / mr {
            for r in 0..<mr {
                let j = panel * mr + r
                let target = keyTarget + panel * mr * d + r
                if j < valid {
                    let source = keys + (first + j) * d
                    for c in 0..<d { target[c * mr] = source[c] }
                } else {
                    for c in 0..<d { target[c * mr] = 0 }
                }
            }
        }
        let d6 = roundUp(d, mr)
        let valueTarget = valueColumns + head * valueStride + block * d6 * bc
        for group in 0..<d6 / mr {
            let panel = valueTarget + group * bc * mr
            for j in 0..<bc {
                for r in 0..<mr {
                    let c = group * mr + r
                    panel[j * mr + r] = j < valid && c < d ? values[(first + j) * d + c] : 0
                }
            }
        }
    }
}
