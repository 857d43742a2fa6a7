import Kernels

/// Runs `body(i)` for every row i in `0..<rows`, in rounds of consecutive rows; each round is spread over
/// `threads` threads with `parallelFor`. After each round, `roundDone(range)` sees the rows just finished and
/// returns true to stop (a decision scan stops at the first round holding a witness).
///
/// Rounds hold about 2^20 word operations (`rowCost` each row) so a fork-join (< 1 µs) stays negligible,
/// and consecutive rows cost about the same, so the static split inside a round stays balanced. Scanning in
/// row order makes the witness found the same for every thread count.
func runInRounds(rows: Int, rowCost: Int, threads: Int, _ body: (Int) -> Void,
                 roundDone: (Range<Int>) -> Bool) {
    let targetWork = 1 << 20
    let roundSize = max(2 * max(1, threads), targetWork / max(1, rowCost))
    var start = 0
    while start < rows {
        let end = min(rows, start + roundSize)
        parallelFor(end - start, threads: threads) { body(start + $0) }
        if roundDone(start..<end) { return }
        start = end
    }
}
