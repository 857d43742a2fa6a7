import Kernels

/// The prefetch of one forward query block's depth-slot rows, spread over its sequence key blocks.
///
/// A block's slot keys and values are contiguous (`[N_q, S, D]` per head): NR·S·D floats each, 96 KiB
/// at NR = 16, S = 24, D = 64. They are read once, after the compute-bound sequence part, so without a
/// prefetch the block waits on memory at the end. `issue(step:)` asks for an equal share of the rows at
/// each of the `steps` key blocks, keys and values alike, up to `budgetBytes` in all (the first queries' rows; the
/// hardware prefetcher follows the rest), so the reads overlap the micro-kernel's work.
struct DepthSlotPrefetch {
    /// At most this many bytes are prefetched per block: half of the smallest L2 cache we run on
    /// (512 KiB on Zen 3), so the prefetched rows do not push out the packed key/value panels.
    static let budgetBytes = 256 << 10

    let keys: UnsafeRawPointer
    let values: UnsafeRawPointer
    /// Lines of keys (and of values) to prefetch, and how many per step.
    let lines: Int
    let linesPerStep: Int

    init(_ depth: DepthPointers<UnsafePointer<Float>>, shape: AttentionShape, head: Int, queries: Range<Int>, steps: Int) {
        let offset = shape.depthOffset(head: head, query: queries.lowerBound, slots: depth.slots)
        keys = UnsafeRawPointer(depth.keys + offset)
        values = UnsafeRawPointer(depth.values + offset)
        let bytes = queries.count * depth.slots * shape.headDimension * MemoryLayout<Float>.size
        lines = min(bytes, Self.budgetBytes / 2) / cacheLineBytes
        linesPerStep = (lines + steps - 1) / max(1, steps)
    }

    /// Prefetches step `step`'s share of the key and value lines.
    @inline(__always)
    func issue(step: Int) {
        let first = step * linesPerStep
        let count = min(linesPerStep, lines - first)
        guard count > 0 else { return }
        prefetch(keys + first * cacheLineBytes, lines: count)
        prefetch(values + first * cacheLineBytes, lines: count)
    }
}
