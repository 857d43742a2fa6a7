/// The element-wise block operations of Strassen–Winograd: its 8 operand sums and 7 product sums.
///
/// They are memory-bound (one FMA per 8–12 bytes moved), so they run as SIMD row loops (two `FloatVector`s a step) split by rows
/// over the threads; on blocks under `parallelThreshold` elements one thread is faster than a fork-join.
enum BlockAdditions {
    static let parallelThreshold = 1 << 16

    /// out = x + s·y element-wise (one rounding: an FMA); with s = 0, out = x and y is not read.
    /// Blocks have equal shapes; `out` may be `x` or `y`.
    static func combine(_ x: MatrixBlock, _ s: Float, _ y: MatrixBlock, into out: MatrixBlock, threads: Int) {
        forRowChunks(out, threads: threads) { rows in
            for i in rows {
                combineRow(x.base + i * x.stride, s, y.base + i * y.stride, out.base + i * out.stride,
                           count: out.columns)
            }
        }
    }

    /// first = z + s·first and second = z + s·second in one pass over z (z read once for two sums);
    /// with s = 0 both become copies of z and are not read.
    static func combine(
        _ z: MatrixBlock, _ s: Float, intoBoth first: MatrixBlock, _ second: MatrixBlock, threads: Int
    ) {
        forRowChunks(z, threads: threads) { rows in
            for i in rows {
                let source = z.base + i * z.stride
                let one = first.base + i * first.stride, two = second.base + i * second.stride
                combineRow(source, s, one, one, count: z.columns)
                combineRow(source, s, two, two, count: z.columns)
            }
        }
    }

    /// Calls `body` on disjoint row ranges covering `block`, in parallel when the block is large.
    private static func forRowChunks(_ block: MatrixBlock, threads: Int, _ body: (Range<Int>) -> Void) {
        let parts = block.rows * block.columns >= parallelThreshold ? min(threads, block.rows) : 1
        parallelFor(parts, threads: parts) { part in
            body(part * block.rows / parts..<(part + 1) * block.rows / parts)
        }
    }

    /// out[j] = x[j] + s·y[j] for j in 0..<count (s = 0: a copy of x, y unread).
    @inline(__always)
    private static func combineRow(
        _ x: UnsafePointer<Float>, _ s: Float, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        if s == 0 {
            out.update(from: x, count: count)
            return
        }
        let scale = FloatVector(repeating: s)
        let xs = UnsafeRawPointer(x), ys = UnsafeRawPointer(y), outs = UnsafeMutableRawPointer(out)
        let w = vectorLanes, bytes = MemoryLayout<FloatVector>.size
        var j = 0
        while j + 2 * w <= count {
            let x0 = xs.loadUnaligned(fromByteOffset: 4 * j, as: FloatVector.self)
            let x1 = xs.loadUnaligned(fromByteOffset: 4 * j + bytes, as: FloatVector.self)
            let y0 = ys.loadUnaligned(fromByteOffset: 4 * j, as: FloatVector.self)
            let y1 = ys.loadUnaligned(fromByteOffset: 4 * j + bytes, as: FloatVector.self)
            outs.storeBytes(of: multiplyAdd(scale, y0, x0), toByteOffset: 4 * j, as: FloatVector.self)
            outs.storeBytes(of: multiplyAdd(scale, y1, x1), toByteOffset: 4 * j + bytes, as: FloatVector.self)
            j += 2 * w
        }
        while j < count {
            out[j] = multiplyAdd(s, y[j], x[j])
            j += 1
        }
    }
}
