import Kernels

/// G heads of N rows each, cut into `perHead` contiguous row ranges: G·perHead work items for
/// `parallelFor`, so that fewer heads than threads still keep every thread busy and a core slowed by
/// another process does not hold up the rest (two items per thread when the rows allow). Partial sums
/// per item are added in item order, so a pass gives the same bits on every run with the same thread count.
struct RowParts {
    let heads: Int, rows: Int, perHead: Int
    /// The fewest rows an item gets when N allows (below this the fork-join costs more than it saves).
    static let minimumRows = 256

    init(heads: Int, rows: Int, threads: Int = Parallelism.defaultThreads) {
        self.heads = heads
        self.rows = rows
        perHead = max(1, min((2 * threads + heads - 1) / max(1, heads), rows / Self.minimumRows))
    }

    /// Work items: G·perHead.
    var count: Int { heads * perHead }

    /// The head of item `item`.
    func head(_ item: Int) -> Int { item / perHead }

    /// The rows (within its head) of item `item`.
    func range(_ item: Int) -> Range<Int> {
        let part = item % perHead
        return part * rows / perHead..<(part + 1) * rows / perHead
    }

    /// Runs `body(head, rows, item)` for every item on all threads.
    func forEach(_ body: (_ head: Int, _ rows: Range<Int>, _ item: Int) -> Void) {
        parallelFor(count) { item in body(head(item), range(item), item) }
    }
}
