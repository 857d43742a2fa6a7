import Dispatch

/// Seconds of monotonic wall time since an arbitrary origin.
@inline(__always) public func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
}

/// Runs `body` once untimed (warm-up: page faults, caches) and then `count` times, returning each run's
/// wall-clock seconds.
public func timeRepeated(_ count: Int, _ body: () -> Void) -> [Double] {
    body()
    return (0..<count).map { _ in
        let start = monotonicSeconds()
        body()
        return monotonicSeconds() - start
    }
}

/// The median of a non-empty list (mean of the two middle values for an even count).
public func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of an empty list")
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Times two computations against each other: one untimed warm-up run of each, then `count` rounds
/// that run `first` and then `second`, returning each run's wall-clock seconds. Alternating makes
/// load from other processes (a shared machine) fall on both alike, where `timeRepeated` on one and
/// then the other would charge a burst of load to whichever ran during it.
public func timeInterleaved(
    _ count: Int, _ first: () -> Void, _ second: () -> Void
) -> (first: [Double], second: [Double]) {
    first()
    second()
    var firstTimes: [Double] = [], secondTimes: [Double] = []
    for _ in 0..<count {
        var start = monotonicSeconds()
        first()
        firstTimes.append(monotonicSeconds() - start)
        start = monotonicSeconds()
        second()
        secondTimes.append(monotonicSeconds() - start)
    }
    return (firstTimes, secondTimes)
}
