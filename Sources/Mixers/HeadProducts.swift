import Kernels

/// Per-head matrix transposes over G heads stored back to back (Linformer's Eᵀ, Fᵀ for its backward pass).
struct HeadProducts {
    let heads: Int

    /// Each head's `[r, c]` matrix transposed: `[G, r, c]` → `[G, c, r]`, in strips of 32 rows on all threads
    /// (`transpose`), so the products that need Xᵀ read it untransposed (a transposed operand is packed
    /// element by element). Cost one read and one write of X.
    func transposed(_ x: Tensor<Float>, rows r: Int, columns c: Int) -> Tensor<Float> {
        precondition(x.count == heads * r * c, "transpose shape does not match")
        let strip = 32, strips = (r + strip - 1) / strip
        var out = Tensor<Float>(zeros: [heads, c, r])
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                let (x, out) = (x.baseAddress!, out.baseAddress!)
                parallelFor(heads * strips) { item in
                    let (head, i0) = (item / strips, (item % strips) * strip)
                    transpose(x + head * r * c + i0 * c, rows: min(strip, r - i0), columns: c,
                              into: out + head * r * c + i0, ld: r)
                }
            }
        }
        return out
    }
}
