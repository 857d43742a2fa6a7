/// Where `strassenGEMM` stops recursing and hands sub-products to the classical `gemm`.
public enum StrassenCutoff {
    /// The cut-off measured on the development machine (2-core Intel Xeon, AVX-512, 2 threads):
    /// MEASUREMENT_PENDING
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
    /// `repeats` runs after one warm-up run each, the two methods interleaved run by run so that load from other
    /// processes hits both alike. Sizes must be even. Cost: about 2·(repeats + 1) products per size.
    public static func timings(
        sizes: [Int] = defaultSizes, repeats: Int = 5, threads: Int = Parallelism.defaultThreads
    ) -> [Timing] {
        sizes.map { size in
            precondition(size >= 2 && size % 2 == 0, "cut-off sizes must be even, got \(size)")
            let a = Tensor<Float>.uniform([size, size], low: -1, high: 1, seed: 1)
            let b = Tensor<Float>.uniform([size, size], low: -1, high: 1, seed: 2)
            var c = Tensor<Float>(zeros: [size, size])
            var classical: [Double] = [], oneLevel: [Double] = []
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                        let runClassical = {
                            gemm(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size, c: c, ldc: size,
                                 threads: threads)
                        }
                        let runOneLevel = {
                            strassenGEMM(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size,
                                         c: c, ldc: size, cutoff: size / 2, threads: threads)
                        }
                        runClassical()
                        runOneLevel()
                        for _ in 0..<repeats {
                            classical.append(secondsOf(runClassical))
                            oneLevel.append(secondsOf(runOneLevel))
                        }
                    }
                }
            }
            return Timing(size: size, classicalSeconds: median(classical), oneLevelSeconds: median(oneLevel))
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

    /// Wall-clock seconds of one call of `body`.
    private static func secondsOf(_ body: () -> Void) -> Double {
        let start = monotonicSeconds()
        body()
        return monotonicSeconds() - start
    }

    /// Measures the cut-off on this machine: `crossover(timings(...))`. Takes about a minute with the
    /// default sizes (dominated by the 4096³ products, ≈ 0.7 s each on 2 AVX-512 cores).
    public static func measure(
        sizes: [Int] = defaultSizes, repeats: Int = 5, threads: Int = Parallelism.defaultThreads
    ) -> Int {
        crossover(timings(sizes: sizes, repeats: repeats, threads: threads))
    }
}
