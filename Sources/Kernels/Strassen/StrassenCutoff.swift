/// Where `strassenGEMM` stops recursing and hands sub-products to the classical `gemm`.
public enum StrassenCutoff {
    /// The cut-off measured on the development machine (2-core Intel Xeon with AVX-512, 260 MiB L3,
    /// 2 threads) by `attnlab bench strassen --measure-cutoff --repeat 7`, run five times while other
    /// builds shared the cores. One-level time / classical time, median of the five runs (range):
    ///
    ///     N      256   384   512   768   1024  1536  2048  3072  4096
    ///     ratio  1.31  1.20  1.25  1.17  1.17  0.98  0.99  1.02  0.94
    ///     range  1.12… 1.13… 1.10… 1.09… 0.98… 0.97… 0.93… 0.87… 0.90…
    ///            1.37  1.46  1.58  1.44  1.48  1.17  1.18  1.14  1.00
    ///
    /// The five runs' crossovers were 3072, 3072, 768, 2048, 3072 (median 3072), as is the crossover of
    /// the median ratios; a sixth run, interleaved, gave 2048 (ratios 1.27 at 1024, 1.06 at 2048, 0.97 at
    /// 3072, 0.98 at 4096). Both agree for N = 2^j ≥ 4096: the base products are 2048³. End to end
    /// (`bench strassen`, quiet machine): 4096³ 0.665 s classical vs 0.662 s (one level); 8192³ 5.32 s vs
    /// 4.36 s (two levels, 1.22×). Classical `gemm` ran at ≈ 100–200 GFLOP/s depending on the load.
    /// One level saves at most 1/8 of the products, and the 15 block additions (≈ 45 quarter-matrix passes of memory
    /// traffic) eat most of it below ≈ 2048, so the gain per level is a few percent near the cut-off.
    ///
    /// The one-level crossover undersells deeper recursion: savings compound per level while the
    /// additions stay O(N²). End-to-end runs on a quiet machine (`bench strassen --repeat 3`, 2026-11-23),
    /// speedup over classical at cut-off 256 / 512 / 1024: N = 2048: 0.55 / 0.77 / 1.01; N = 4096:
    /// 0.66 / 0.90 / 1.07; N = 8192: 0.69 / 1.02 / 1.23 (the earlier 3072 gave 1.00 at 4096 and 1.22 at
    /// 8192). Below 1024 the base products lose too much speed; 1024 is never slower, so it is the default.
    public static let `default` = 1024

    /// Median seconds of one N×N×N product, classical and with exactly one Winograd level.
    public struct Timing: Sendable, Equatable {
        public let size: Int
        public let classicalSeconds: Double
        public let oneLevelSeconds: Double

        public init(size: Int, classicalSeconds: Double, oneLevelSeconds: Double) {
            self.size = size
            self.classicalSeconds = classicalSeconds
            self.oneLevelSeconds = oneLevelSeconds
        }
    }

    /// Sizes `measure` tries by default: even, growing by ≈ √2, up to 4096 (three 64 MiB operands).
    public static let defaultSizes = [256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096]

    /// Times classical `gemm` against one Winograd level (cut-off N/2) at each size; medians of
    /// `repeats` runs after one warm-up run each, interleaved (`timeInterleaved`). Sizes must be even.
    /// Cost: 2·(repeats + 1) products per size.
    public static func timings(
        sizes: [Int] = defaultSizes, repeats: Int = 5, threads: Int = Parallelism.defaultThreads
    ) -> [Timing] {
        sizes.map { size in
            precondition(size >= 2 && size % 2 == 0, "cut-off sizes must be even, got \(size)")
            let a = Tensor<Float>.uniform([size, size], low: -1, high: 1, seed: 1)
            let b = Tensor<Float>.uniform([size, size], low: -1, high: 1, seed: 2)
            var c = Tensor<Float>(zeros: [size, size])
            var times: (first: [Double], second: [Double]) = ([], [])
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                        times = timeInterleaved(repeats, {
                            gemm(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size, c: c, ldc: size,
                                 threads: threads)
                        }, {
                            strassenGEMM(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size,
                                         c: c, ldc: size, cutoff: size / 2, threads: threads)
                        })
                    }
                }
            }
            return Timing(size: size, classicalSeconds: median(times.first), oneLevelSeconds: median(times.second))
        }
    }

    /// The cut-off the timings support: the largest size at which one level was not faster than
    /// classical (so problems up to it stay classical and every larger measured size recursed with a
    /// gain). If one level won at every size, one less than the smallest size; if it never won, the
    /// largest size (the recursion then starts only beyond what was measured).
    public static func crossover(_ timings: [Timing]) -> Int {
        precondition(!timings.isEmpty, "no timings")
        let sorted = timings.sorted { $0.size < $1.size }
        guard let lastLoss = sorted.last(where: { $0.oneLevelSeconds >= $0.classicalSeconds }) else {
            return sorted[0].size - 1
        }
        return lastLoss.size
    }

    /// Measures the cut-off on this machine: `crossover(timings(...))`. Takes about a minute with the
    /// default sizes (dominated by the 4096³ products, ≈ 0.7 s each on 2 AVX-512 cores).
    public static func measure(
        sizes: [Int] = defaultSizes, repeats: Int = 5, threads: Int = Parallelism.defaultThreads
    ) -> Int {
        crossover(timings(sizes: sizes, repeats: repeats, threads: threads))
    }
}
