import ArgumentParser
import Foundation
import Kernels

struct BenchGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time C = A·B in fp32 (2·m·n·k FLOPs per call).")

    @Option(help: "Rows of op(A) and C.") var m: Int
    @Option(help: "Columns of op(B) and C.") var n: Int
    @Option(help: "Inner dimension.") var k: Int
    @Flag(help: "Use A transposed (A stored [k, m]).") var transposeA = false
    @Flag(help: "Use B transposed (B stored [n, k]).") var transposeB = false
    @Option(help: "Threads (default: all cores).") var threads: Int = Parallelism.defaultThreads
    @Option(help: "Timed repetitions; the median is reported.") var `repeat`: Int = 7
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard m >= 1, n >= 1, k >= 1 else { throw ValidationError("--m, --n and --k must be at least 1") }
        try OptionLimits.checkElements([[m, k], [k, n], [m, n]], describing: "matrices of \(m)×\(k) and \(k)×\(n)")
        try OptionLimits.check(threads, in: OptionLimits.threads, option: "--threads")
        try OptionLimits.check(`repeat`, in: OptionLimits.repeats, option: "--repeat")
    }

    func run() throws {
        let a = Tensor<Float>.uniform([m * k], low: -1, high: 1, seed: 1)
        let b = Tensor<Float>.uniform([k * n], low: -1, high: 1, seed: 2)
        var c = Tensor<Float>(zeros: [m * n])
        let times = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    timeRepeated(`repeat`) {
                        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                             a: a.baseAddress!, lda: transposeA ? m : k,
                             b: b.baseAddress!, ldb: transposeB ? k : n,
                             c: c.baseAddress!, ldc: n, threads: threads)
                    }
                }
            }
        }
        let seconds = median(times)
        let gflops = 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
        let peak = MachinePeak.measured(threads: threads)
        let result = GEMMBenchResult(
            m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, threads: threads,
            seconds: seconds, gflops: gflops, peakGFLOPS: peak, percentOfPeak: 100 * gflops / peak)
        if json {
            print(try JSONOutput.string(result))
        } else {
            print("gemm m=\(m) n=\(n) k=\(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "") threads=\(threads): "
                  + "median \(format(seconds * 1e3, digits: 3)) ms, \(format(gflops, digits: 1)) GFLOP/s, "
                  + "\(format(result.percentOfPeak, digits: 1))% of measured peak \(format(peak, digits: 1)) GFLOP/s")
        }
    }
}

struct GEMMBenchResult: Codable {
    let m, n, k: Int
    let transposeA, transposeB: Bool
    let threads: Int
    let seconds, gflops, peakGFLOPS, percentOfPeak: Double

    enum CodingKeys: String, CodingKey {
        case m, n, k, threads, seconds, gflops
        case transposeA = "transpose_a", transposeB = "transpose_b"
        case peakGFLOPS = "peak_gflops", percentOfPeak = "percent_of_peak"
    }
}
