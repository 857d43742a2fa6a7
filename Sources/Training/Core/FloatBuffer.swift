/// A fixed-size, 64-byte aligned, zero-initialised `Float` buffer, allocated once and never resized:
/// the activations, gradients and optimizer moments of a training run live in these, so a step
/// touches no allocator.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        precondition(count >= 0, "negative buffer size")
        self.count = count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero. O(count).
    func zero() { pointer.update(repeating: 0, count: count) }

    /// The elements as an array (for checkpoints and tests).
    var elements: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Overwrites the elements from `values` (same count).
    func load(_ values: [Float]) {
        precondition(values.count == count, "loading \(values.count) values into a buffer of \(count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
}

/// A fixed-size `Int32` buffer (token ids, class targets), allocated once.
final class IndexBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int32>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    deinit { pointer.deallocate() }
}
