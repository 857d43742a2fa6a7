import Dispatch
import Synchronization

/// The machine's fp32 peak in GFLOP/s, measured rather than looked up, with the vectors this build's
/// kernels use: 16 lanes under `ATTNLAB_AVX512`, 8 under `ATTNLAB_AVX2`, else 4 (SSE, NEON); fused
/// multiply-adds under `ATTNLAB_FMA` (2 FLOPs each), else multiplies and adds on their own units.
///
/// Enough independent chains to keep 2 FMA ports busy through a 4–6 cycle latency without spilling:
/// 12 on ISAs with 16 vector registers, 24 with 32 (AVX-512, NEON, which may have 4 FMA ports). All
/// threads run at once, each timing its own short chunks of work; the peak is the most work all threads
/// finished inside one 1 ms window (chunks crossing a window's edge are not counted). A busy shared
/// machine lends a process all its cores at once only now and then, and one such window is enough:
/// the all-core measurement goes on (for at most 2 s) until a window reaches 85% of threads × the
/// one-thread peak, so a moment of contention does not pass for the machine's peak.
/// Every benchmark divides by the same cached value, so none can report more than 100% of it unless
/// the measurement is wrong.
public enum MachinePeak {
    /// The peak on all cores (`Parallelism.defaultThreads` threads), measured once per process.
    public static var measured: Double { measured(threads: Parallelism.defaultThreads) }

    /// The peak on `threads` threads at once, measured on first use (≈ 0.2 s, up to 2 s more on a busy
    /// machine) and cached per thread count; concurrent callers wait for the one measurement.
    public static func measured(threads: Int) -> Double {
        let oneThread = threads > 1 ? measured(threads: 1) : nil
        return cache.withLock { cache in
            if let value = cache[threads] { return value }
            let value = measure(threads: threads, enough: oneThread.map { 0.85 * Double(threads) * $0 })
            cache[threads] = value
            return value
        }
    }

    private static let cache = Mutex<[Int: Double]>([:])

    /// Best GFLOP/s of any `window` in parallel bursts of `windowsPerBurst` windows each: `bursts` of them,
    /// then more until one window reaches `enough` GFLOP/s or `patience` seconds have passed (a busy
    /// machine may not yet have lent the process all its cores at once).
    static func measure(threads: Int, enough: Double? = nil, bursts: Int = 12, windowsPerBurst: Int = 16,
                        window: Double = 0.001, patience: Double = 2) -> Double {
        let windowNanos = UInt64(window * 1e9)
        let giveUp = DispatchTime.now().uptimeNanoseconds + UInt64(patience * 1e9)
        var bestChunks = 0, burst = 0
        func best() -> Double { Double(bestChunks) * FMAChains.flopsPerChunk / window / 1e9 }
        while burst < bursts || (best() < enough ?? 0 && DispatchTime.now().uptimeNanoseconds < giveUp) {
            burst += 1
            let chunks = Mutex([Int](repeating: 0, count: windowsPerBurst))
            let start = DispatchTime.now().uptimeNanoseconds
            let end = start + UInt64(windowsPerBurst) * windowNanos
            parallelFor(threads, threads: threads) { _ in
                var mine = [Int](repeating: 0, count: windowsPerBurst)
                var last = DispatchTime.now().uptimeNanoseconds
                while last < end {
                    FMAChains.run(FMAChains.chunk)
                    let now = DispatchTime.now().uptimeNanoseconds
                    let first = Int((last - start) / windowNanos), second = Int((now - start) / windowNanos)
                    if first == second && second < windowsPerBurst { mine[second] += 1 }
                    last = now
                }
                chunks.withLock { total in for i in total.indices { total[i] += mine[i] } }
            }
            bestChunks = max(bestChunks, chunks.withLock { $0.max() ?? 0 })
        }
        return best()
    }
}

#if ATTNLAB_AVX512
/// The vector the build's kernels use: one register.
typealias PeakVector = SIMD16<Float>
#elseif ATTNLAB_AVX2
typealias PeakVector = SIMD8<Float>
#else
typealias PeakVector = SIMD4<Float>
#endif

/// Independent chains in blocks of six, all held in registers: 2 blocks on ISAs with 16 vector
/// registers (12 chains + y + z), 4 with 32 (AVX-512, arm64). With FMA each chain is `a = a·y + z`; without,
/// a multiply-add would put both latencies on one chain, so half the chains are `a = a·y` and half
/// `a = a + z`, as a GEMM without FMA keeps its multiplies off the accumulators' chains.
struct FMAChains {
    #if ATTNLAB_AVX512 || arch(arm64)
    static let count = 24
    #else
    static let count = 12
    #endif

    /// Iterations timed as one piece: a few microseconds, so a 1 ms window loses under 1% at its edges.
    static let chunk = 2048

    /// FLOPs of one chunk: per lane, chain and iteration 2 with FMA (multiply and add), else 1.
    #if ATTNLAB_FMA
    static let flopsPerChunk = Double(chunk * count * PeakVector.scalarCount * 2)
    #else
    static let flopsPerChunk = Double(chunk * count * PeakVector.scalarCount)
    #endif

    /// Runs `iterations` multiply-adds on every chain.
    @inline(never)
    static func run(_ iterations: Int) {
        let y = PeakVector(repeating: 0.999_999), z = PeakVector(repeating: 1e-7), x = PeakVector(repeating: 1)
        var b0 = Block(x), b1 = Block(x)
        #if ATTNLAB_AVX512 || arch(arm64)
        var b2 = Block(x), b3 = Block(x)
        #endif
        for _ in 0..<iterations {
            b0.step(y, z); b1.step(y, z)
            #if ATTNLAB_AVX512 || arch(arm64)
            b2.step(y, z); b3.step(y, z)
            #endif
        }
        var total = b0.sum + b1.sum
        #if ATTNLAB_AVX512 || arch(arm64)
        total += b2.sum + b3.sum
        #endif
        blackHole(total[0])
    }

    /// Six chains; over a chunk their values stay near 0.1–1, far from overflow and denormals.
    struct Block {
        var a0, a1, a2, a3, a4, a5: PeakVector

        init(_ x: PeakVector) { (a0, a1, a2, a3, a4, a5) = (x, x, x, x, x, x) }

        @inline(__always)
        mutating func step(_ y: PeakVector, _ z: PeakVector) {
            #if ATTNLAB_FMA
            a0 = z.addingProduct(a0, y); a1 = z.addingProduct(a1, y); a2 = z.addingProduct(a2, y)
            a3 = z.addingProduct(a3, y); a4 = z.addingProduct(a4, y); a5 = z.addingProduct(a5, y)
            #else  // half the chains multiply, half add: both kinds of unit busy, each with 1 FLOP per lane
            a0 = a0 * y; a1 = a1 * y; a2 = a2 * y
            a3 = a3 + z; a4 = a4 + z; a5 = a5 + z
            #endif
        }

        var sum: PeakVector { ((a0 + a1) + (a2 + a3)) + (a4 + a5) }
    }
}
