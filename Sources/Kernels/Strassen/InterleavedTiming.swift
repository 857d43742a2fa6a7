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
