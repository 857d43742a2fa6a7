import Dispatch
import Foundation
import Synchronization

/// Thread settings for the kernels.
public enum Parallelism {
    /// Threads a kernel uses when the caller does not say: the number of active cores, or
    /// `ATTNLAB_THREADS` from the environment.
    public static let defaultThreads: Int = {
        if let text = ProcessInfo.processInfo.environment["ATTNLAB_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

/// Runs `body(i)` for `i` in `0..<count` on at most `threads` threads and returns when all are done.
/// Items are handed out one at a time from a shared counter, so uneven items (causal attention blocks)
/// balance themselves. One fork-join costs under a microsecond (`concurrentPerform`); items of ~10 µs
/// and up scale.
@inlinable
public func parallelFor(_ count: Int, threads: Int = Parallelism.defaultThreads, _ body: (Int) -> Void) {
    parallelForWorkers(count, threads: threads) { item, _ in body(item) }
}

/// `parallelFor` that also tells `body` which worker (0..<workers) runs the item, for per-thread
/// scratch space or accumulators. Returns the number of workers used.
@discardableResult
public func parallelForWorkers(
    _ count: Int, threads: Int = Parallelism.defaultThreads, _ body: (_ item: Int, _ worker: Int) -> Void
) -> Int {
    if count <= 0 { return 0 }
    let workers = min(count, max(1, threads))
    if workers == 1 {
        for i in 0..<count { body(i, 0) }
        return 1
    }
    let next = WorkCounter()
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while true {
                let item = next.take()
                if item >= count { break }
                task.value(item, worker)
            }
        }
    }
    return workers
}

/// The shared "next item" counter of one parallel loop.
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)
    func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Wraps a value that is safe to share across the threads of one parallel loop (each writes its own part).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
