import Dispatch
import Foundation
import Synchronization

/// Thread settings for the kernels.
public enum Parallelism {
    /// The most threads any kernel is asked to use: 64 per core, at most 1024 (per-thread buffers make
    /// larger counts cost memory without adding speed).
    public static let maximumThreads = min(1024, 64 * max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Threads a kernel uses when the caller does not say: `ATTNLAB_THREADS` from the environment, or the
    /// number of active cores. A value that is not a whole number in 1…`maximumThreads` is not used: one
    /// warning line on standard error says so and what is used instead (the cores, or `maximumThreads`
    /// for a larger number).
    public static let defaultThreads: Int = {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let text = ProcessInfo.processInfo.environment["ATTNLAB_THREADS"] else { return cores }
        let parsed = threads(fromEnvironmentValue: text, cores: cores)
        if let problem = parsed.problem { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        return parsed.threads
    }()

    /// The threads an `ATTNLAB_THREADS` value asks for, and what is wrong with it (nil if nothing).
    static func threads(fromEnvironmentValue text: String, cores: Int) -> (threads: Int, problem: String?) {
        let digits = text.trimmingCharacters(in: .whitespaces)
        let shown = "ATTNLAB_THREADS=" + (text.count > 40 ? text.prefix(40) + "…" : text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.contains(where: { $0 != "0" }) else {
            return (cores, "\(shown) is not a whole number of threads ≥ 1; using all \(cores) cores")
        }
        if let number = Int(digits), number <= maximumThreads { return (number, nil) }
        return (maximumThreads, "\(shown) is more than \(maximumThreads) threads; using \(maximumThreads)")
    }
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
/// scratch space (accumulators whose sums must be the same bits on every run: `parallelForFixedWorkers`).
/// Returns the number of workers used.
@discardableResult
public func parallelForWorkers(
    _ count: Int, threads: Int = Parallelism.defaultThreads, _ body: (_ item: Int, _ worker: Int) -> Void
) -> Int {
    if count <= 0 { return 0 }
    let workers = min(count, max(1, threads))
    let next = WorkCounter()
    runWorkers(workers) { worker in
        while true {
            let item = next.take()
            if item >= count { break }
            body(item, worker)
        }
    }
    return workers
}

/// `parallelForWorkers` with a fixed hand-out: worker w runs items w, w + W, w + 2W, … in that order
/// (W workers). For loops whose workers accumulate into their own buffers that are summed afterwards:
/// the assignment, and so every rounding, is then the same on every run with the same thread count,
/// where the shared counter's hand-out depends on timing and changes the last bits of the sums.
/// Balances well when neighbouring items cost about the same (causal attention's triangle included).
@discardableResult
public func parallelForFixedWorkers(
    _ count: Int, threads: Int = Parallelism.defaultThreads, _ body: (_ item: Int, _ worker: Int) -> Void
) -> Int {
    if count <= 0 { return 0 }
    let workers = min(count, max(1, threads))
    runWorkers(workers) { worker in
        for item in stride(from: worker, to: count, by: workers) { body(item, worker) }
    }
    return workers
}

/// Runs `work(w)` for every worker w in 0..<workers, on the calling thread alone when there is one.
private func runWorkers(_ workers: Int, _ work: (_ worker: Int) -> Void) {
    if workers == 1 {
        work(0)
        return
    }
    withoutActuallyEscaping(work) { work in
        let task = UncheckedSendable(work)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in task.value(worker) }
    }
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
