import Dispatch

/// The machine's FP32 fused-multiply-add peak, measured rather than looked up.
public enum MachinePeak {
    /// GFLOP/s of a loop of independent SIMD16 FMAs on `threads` threads at once (≈ 2 FMA units ×
    /// 16 lanes × 2 FLOPs × clock per core). Runs about `seconds` of wall time; the best of 3 trials.
    public static func measureGFLOPS(threads: Int = Parallelism.defaultThreads, seconds: Double = 0.15) -> Double {
        let iterations = 200_000
        var best = 0.0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            var rounds = 0
            var elapsed = 0.0
            while elapsed < seconds / 3 {
                parallelFor(threads, threads: threads) { _ in fmaLoop(iterations) }
                rounds += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            }
            // 12 accumulators × 16 lanes × 2 FLOPs per iteration and thread.
            let flops = Double(rounds * threads * iterations) * 12 * 16 * 2
            best = max(best, flops / elapsed / 1e9)
        }
        return best
    }

    /// 12 independent FMA chains, enough to cover 4-cycle latency on 2 ports (8 in flight).
    @inline(never)
    static func fmaLoop(_ iterations: Int) {
        let x = SIMD16<Float>(repeating: 0.999_999), y = SIMD16<Float>(repeating: 1e-7)
        var a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x
        var a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x
        for _ in 0..<iterations {
            a0 = a0.addingProduct(a0, y); a1 = a1.addingProduct(a1, y); a2 = a2.addingProduct(a2, y)
            a3 = a3.addingProduct(a3, y); a4 = a4.addingProduct(a4, y); a5 = a5.addingProduct(a5, y)
            a6 = a6.addingProduct(a6, y); a7 = a7.addingProduct(a7, y); a8 = a8.addingProduct(a8, y)
            a9 = a9.addingProduct(a9, y); a10 = a10.addingProduct(a10, y); a11 = a11.addingProduct(a11, y)
        }
        let total = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
        blackHole(total[0])
    }
}

/// Keeps a computed value observable so the optimiser cannot delete the loop that produced it.
@inline(never) public func blackHole(_ value: Float) {
    if value.bitPattern == 0x7FC0_DEAD { print(value) }
}
