import Synchronization

/// Large float scratch a mixer reuses from call to call instead of allocating it afresh, which on this
/// platform's allocator means page-faulting megabytes on every call once freed memory is given back to
/// the system. Thread-safe: a call takes a spare buffer that is large enough (or allocates one) and
/// returns it afterwards, so concurrent calls never share one; the pool holds as many buffers as calls
/// ever ran at once.
final class BufferPool: Sendable {
    private let spare = Mutex<[PooledBuffer]>([])

    /// Runs `body` with a buffer of at least `count` floats (uninitialised).
    func with<Result>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> Result) -> Result {
        let taken = spare.withLock { list -> PooledBuffer? in
            list.firstIndex { $0.count >= count }.map { list.remove(at: $0) }
        }
        let buffer = taken ?? PooledBuffer(count: count)
        defer { spare.withLock { $0.append(buffer) } }
        return body(buffer.pointer)
    }
}

/// One buffer of `BufferPool`, freed with its last reference; only one call uses it at a time.
private final class PooledBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
    }

    deinit { pointer.deallocate() }
}
