import Dispatch
import Foundation

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

/// Runs `body(i)` for `i` in `0..<count`, spread over at most `threads` threads, and returns when all are
/// done. One fork-join costs under a microsecond (`concurrentPerform`), so chunks of ~1 ms and up scale.
@inlinable
public func parallelFor(_ count: Int, threads: Int = Parallelism.defaultThreads, _ body: (Int) -> Void) {
    if count <= 0 { return }
    let workers = min(count, max(1, threads))
    if workers == 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Static, contiguous split: item i goes to worker i·workers/count.
            let start = worker * count / workers
            let end = (worker + 1) * count / workers
            for i in start..<end { task.value(i) }
        }
    }
}

/// Wraps a value that is safe to share across the threads of one `parallelFor` (each writes its own part).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
