import ArgumentParser
import Kernels

struct BenchStrassenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strassen",
        abstract: "Time N×N×N products: classical gemm against Strassen–Winograd (effective GFLOP/s = 2N³/time).",
        discussion: """
            Both run on the same uniform [-1, 1) operands, alternating run by run; speedup = classical / Strassen median seconds. \
            --measure-cutoff instead times classical against one Winograd level at growing sizes and prints \
            the crossover that StrassenCutoff.default records.
            """)

    @Option(help: "Matrix size N (A, B and C are N×N).") var size: Int?
    @Option(help: "Largest sub-problem dimension computed classically.") var cutoff: Int = StrassenCutoff.default
    @Option(help: "Threads (default: all cores).") var threads: Int = Parallelism.defaultThreads
    @Option(help: "Timed repetitions; the median is reported.") var `repeat`: Int = 5
    @Flag(help: "Measure the cut-off (classical vs one level at sizes 256…4096) instead of timing one size.")
    var measureCutoff = false
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        if !measureCutoff {
            guard let size else { throw ValidationError("--size is required (or pass --measure-cutoff)") }
            guard size >= 1 else { throw ValidationError("--size must be at least 1, got \(size)") }
            guard size <= 20_000 else {
                throw ValidationError("--size \(size) needs over 6 GiB for four \(size)×\(size) matrices; use 20000 or less")
            }
        }
        guard cutoff >= 1 else { throw ValidationError("--cutoff must be at least 1, got \(cutoff)") }
        try OptionLimits.check(threads, in: OptionLimits.threads, option: "--threads")
        try OptionLimits.check(`repeat`, in: OptionLimits.repeats, option: "--repeat")
    }

    func run() throws {
        if measureCutoff {
            try printCutoffMeasurement()
            return
        }
        guard let size else { return }
        let a = Tensor<Float>.uniform([size * size], low: -1, high: 1, seed: 1)
        let b = Tensor<Float>.uniform([size * size], low: -1, high: 1, seed: 2)
        var classical = Tensor<Float>(zeros: [size * size]), strassen = classical
        var times: (first: [Double], second: [Double]) = ([], [])
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                classical.withUnsafeMutableBufferPointer { classical in
                    strassen.withUnsafeMutableBufferPointer { strassen in
                        let (a, b) = (a.baseAddress!, b.baseAddress!)
                        let (classical, strassen) = (classical.baseAddress!, strassen.baseAddress!)
                        times = timeInterleaved(`repeat`, {
                            gemm(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size,
                                 c: classical, ldc: size, threads: threads)
                        }, {
                            strassenGEMM(m: size, n: size, k: size, a: a, lda: size, b: b, ldb: size,
                                         c: strassen, ldc: size, cutoff: cutoff, threads: threads)
                        })
                    }
                }
            }
        }
        let flops = 2 * Double(size) * Double(size) * Double(size)
        let classicalSeconds = median(times.first), strassenSeconds = median(times.second)
        let largest = classical.elements.reduce(0) { max($0, abs($1)) }
        let difference = zip(classical.elements, strassen.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let result = StrassenBenchResult(
            size: size, cutoff: cutoff, threads: threads,
            classicalSeconds: classicalSeconds, strassenSeconds: strassenSeconds,
            speedup: classicalSeconds / strassenSeconds,
            classicalGFLOPS: flops / classicalSeconds / 1e9, strassenEffectiveGFLOPS: flops / strassenSeconds / 1e9,
            relativeDifference: Double(largest > 0 ? difference / largest : difference))
        if json {
            print(try JSONOutput.string(result))
        } else {
            print("strassen N=\(size) cutoff=\(cutoff) threads=\(threads): "
                  + "classical \(format(classicalSeconds, digits: 4)) s (\(format(result.classicalGFLOPS, digits: 1)) GFLOP/s), "
                  + "Strassen \(format(strassenSeconds, digits: 4)) s (\(format(result.strassenEffectiveGFLOPS, digits: 1)) "
                  + "effective GFLOP/s), speedup \(format(result.speedup, digits: 3))×, "
                  + "max |difference| / max |C| = \(String(format: "%.2e", result.relativeDifference))")
        }
    }

    private func printCutoffMeasurement() throws {
        let timings = StrassenCutoff.timings(repeats: `repeat`, threads: threads)
        let crossover = StrassenCutoff.crossover(timings)
        if json {
            let rows = timings.map {
                CutoffTimingRow(size: $0.size, classicalSeconds: $0.classicalSeconds, oneLevelSeconds: $0.oneLevelSeconds)
            }
            print(try JSONOutput.string(CutoffMeasurement(cutoff: crossover, threads: threads, timings: rows)))
            return
        }
        print("     N   classical s   one level s   one level / classical")
        for timing in timings {
            print(String(format: "%6d  %12.5f  %12.5f  %10.3f", timing.size, timing.classicalSeconds,
                         timing.oneLevelSeconds, timing.oneLevelSeconds / timing.classicalSeconds))
        }
        print("cut-off (largest size where one level is not faster): \(crossover)")
    }
}

struct StrassenBenchResult: Codable {
    let size, cutoff, threads: Int
    let classicalSeconds, strassenSeconds, speedup: Double
    let classicalGFLOPS, strassenEffectiveGFLOPS: Double
    let relativeDifference: Double

    enum CodingKeys: String, CodingKey {
        case size, cutoff, threads, speedup
        case classicalSeconds = "classical_seconds", strassenSeconds = "strassen_seconds"
        case classicalGFLOPS = "classical_gflops", strassenEffectiveGFLOPS = "strassen_effective_gflops"
        case relativeDifference = "relative_difference"
    }
}

struct CutoffMeasurement: Codable {
    let cutoff, threads: Int
    let timings: [CutoffTimingRow]
}

struct CutoffTimingRow: Codable {
    let size: Int
    let classicalSeconds, oneLevelSeconds: Double

    enum CodingKeys: String, CodingKey {
        case size
        case classicalSeconds = "classical_seconds", oneLevelSeconds = "one_level_seconds"
    }
}
