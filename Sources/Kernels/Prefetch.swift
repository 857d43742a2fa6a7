import CPUSupport

/// Bytes per cache line on every CPU the project builds for (x86-64, Apple and Neoverse arm64 L1/L2).
public let cacheLineBytes = 64

/// Asks the CPU to bring `lines` cache lines from `start` into the L2 cache while other work runs, so a
/// later pass over rows that stream from memory finds them near. One instruction per line, no fault
/// for any address (see `attnlab_prefetch`).
@inlinable
public func prefetch(_ start: UnsafeRawPointer, lines: Int) {
    for line in 0..<lines { attnlab_prefetch(start + line * cacheLineBytes) }
}
