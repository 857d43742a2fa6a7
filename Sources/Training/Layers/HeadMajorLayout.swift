import Kernels

/// The two layouts of per-head vectors in the mixer layers: token-major rows `[B·N, P·H·d]` (a fused
/// projection with P parts side by side, each head-major: part p, head h at column (p·H + h)·d) and
/// head-major tensors `[B, H, N, d]` (what the attention kernels and token mixers take).
/// Each copy moves B·N·H·d floats.
struct HeadMajorLayout {
    let heads: Int
    let length: Int
    let headDimension: Int

    /// Copies part `part` of `parts` from token-major `rows` into head-major `target` for `batch` examples.
    func toHeads(_ rows: UnsafePointer<Float>, part: Int, parts: Int, batch: Int, into target: UnsafeMutablePointer<Float>) {
        let (h, n, d) = (heads, length, headDimension)
        for b in 0..<batch {
            for i in 0..<n {
                let row = rows + (b * n + i) * parts * h * d + part * h * d
                for head in 0..<h { (target + ((b * h + head) * n + i) * d).update(from: row + head * d, count: d) }
            }
        }
    }

    /// Copies head-major `source` into part `part` of `parts` of token-major `rows` for `batch` examples.
    func toRows(_ source: UnsafePointer<Float>, part: Int, parts: Int, batch: Int, into rows: UnsafeMutablePointer<Float>) {
        let (h, n, d) = (heads, length, headDimension)
        for b in 0..<batch {
            for i in 0..<n {
                let row = rows + (b * n + i) * parts * h * d + part * h * d
                for head in 0..<h { (row + head * d).update(from: source + ((b * h + head) * n + i) * d, count: d) }
            }
        }
    }

    /// Part `part` of `parts` of the Float64 token-major `rows` as a head-major tensor `[B, H, N, d]`.
    func referenceHeads(_ rows: [Double], part: Int, parts: Int, batch: Int) -> Tensor<Double> {
        let (h, n, d) = (heads, length, headDimension)
        return Tensor(shape: [batch, h, n, d]) { i in rows[(i[0] * n + i[2]) * parts * h * d + (part * h + i[1]) * d + i[3]] }
    }

    /// The Float64 head-major `heads` `[B, H, N, d]` as token-major rows `[B·N, H·d]`.
    func referenceRows(_ tensor: Tensor<Double>, batch: Int) -> [Double] {
        let (h, n, d) = (heads, length, headDimension)
        let o = tensor.elements
        var rows = [Double](repeating: 0, count: batch * n * h * d)
        for b in 0..<batch {
            for head in 0..<h {
                for i in 0..<n {
                    for c in 0..<d { rows[(b * n + i) * h * d + head * d + c] = o[((b * h + head) * n + i) * d + c] }
                }
            }
        }
        return rows
    }
}
