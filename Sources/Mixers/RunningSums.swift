import Kernels

/// Running sums of weighted rows along each head's sequence, in parallel even for one head.
///
/// For rows x `[G, N, r]` and optional weights w `[G, N]`, `visit(g, t, s)` sees
/// s = Σ_{t' visible from t} w_{t'}·x_{t'} `[r]`, where t' ≤ t (`.prefix`), t' ≥ t (`.suffix`) or every t'
/// (`.total`). Each head is cut into segments (enough for every thread); pass 1 sums each segment, the
/// segment sums are combined, and pass 2 walks each segment from its starting sum.
/// Cost: 2·r FLOPs per row and pass; memory r floats per segment.
struct RunningSums {
    enum Direction { case prefix, suffix, total }

    let heads: Int, length: Int, width: Int
    let threads: Int = Parallelism.defaultThreads

    func run(
        _ x: UnsafePointer<Float>, weights: UnsafePointer<Float>?, direction: Direction,
        visit: (_ head: Int, _ token: Int, _ sum: UnsafePointer<Float>) -> Void
    ) {
        let (n, r) = (length, width)
        let segments = min(n, max(1, (threads + heads - 1) / heads))
        func tokens(_ s: Int) -> [Int] {
            let range = s * n / segments ..< (s + 1) * n / segments
            return direction == .suffix ? range.reversed() : Array(range)
        }
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: (heads * segments + 1) * r)
        let running = UnsafeMutablePointer<Float>.allocate(capacity: heads * segments * r)
        defer {
            sums.deallocate()
            running.deallocate()
        }
        sums.update(repeating: 0, count: (heads * segments + 1) * r)
        func add(_ g: Int, _ t: Int, into target: UnsafeMutablePointer<Float>) {
            addScaled(x + (g * n + t) * r, weights.map { $0[g * n + t] } ?? 1, into: target, count: r)
        }
        parallelFor(heads * segments, threads: threads) { item in
            let (g, s) = item.quotientAndRemainder(dividingBy: segments)
            for t in tokens(s) { add(g, t, into: sums + item * r) }
        }
        // Starting sums: what comes before each segment in the walking direction (or the head's total).
        for g in 0..<heads {
            let order = direction == .suffix ? Array((0..<segments).reversed()) : Array(0..<segments)
            let total = sums + heads * segments * r
            total.update(repeating: 0, count: r)
            for s in order {
                let own = sums + (g * segments + s) * r
                (running + (g * segments + s) * r).update(from: total, count: r)
                zipLanes(total, own, into: total, count: r) { $0 + $1 }
            }
            if direction == .total {
                for s in 0..<segments { (running + (g * segments + s) * r).update(from: total, count: r) }
            }
        }
        parallelFor(heads * segments, threads: threads) { item in
            let (g, s) = item.quotientAndRemainder(dividingBy: segments)
            let sum = running + item * r
            for t in tokens(s) {
                if direction != .total { add(g, t, into: sum) }
                visit(g, t, sum)
            }
        }
    }
}
