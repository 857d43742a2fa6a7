import ArgumentParser
import Attention
import Foundation
import Kernels

struct BenchAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Time exact flash attention (forward 4·B·H·N·M·D FLOPs, causal half; backward counted 2.5×).")

    @Option(help: "Query sequence length N.") var seq: Int
    @Option(help: "Key/value sequence length M (default: N).") var kvSeq: Int?
    @Option(help: "Query heads H.") var heads: Int = 8
    @Option(help: "Key/value heads (divides H; default: H).") var kvHeads: Int?
    @Option(help: "Head dimension D (1…256).") var headDim: Int = 64
    @Option(help: "Batch size B.") var batch: Int = 1
    @Flag(help: "Causal mask.") var causal = false
    @Flag(help: "Also time the backward pass.") var backward = false
    @Option(help: "Also time the same call with S random MoDA depth slots per query (1…1024), alternating with the plain one.")
    var depthSlots: Int?
    @Option(help: "Threads (default: all cores).") var threads: Int = Parallelism.defaultThreads
    @Option(help: "Timed repetitions; the median is reported.") var `repeat`: Int = 5
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard seq >= 1, (kvSeq ?? 1) >= 1, heads >= 1, batch >= 1 else {
            throw ValidationError("--seq, --kv-seq, --heads and --batch must be at least 1")
        }
        guard (1...256).contains(headDim) else { throw ValidationError("--head-dim must be in 1…256, got \(headDim)") }
        if let kvHeads, kvHeads < 1 || heads % kvHeads != 0 {
            throw ValidationError("--kv-heads \(kvHeads) must divide --heads \(heads)")
        }
        try OptionLimits.check(threads, in: OptionLimits.threads, option: "--threads")
        try OptionLimits.check(`repeat`, in: OptionLimits.repeats, option: "--repeat")
        if let depthSlots { try OptionLimits.check(depthSlots, in: 1...1024, option: "--depth-slots") }
        let queries = [batch, heads, seq, headDim], keys = [batch, kvHeads ?? heads, kvSeq ?? seq, headDim]
        let depth = depthSlots.map { [batch, heads, seq, $0, headDim] }
        let depthTensors = depth.map { [$0, $0] + (backward ? [$0, $0] : []) } ?? []
        try OptionLimits.checkElements([queries, keys, keys, queries] + (backward ? [queries, queries, keys, keys] : [])
                                       + depthTensors, describing: "the queries, keys, values, depth slots and outputs")
    }

    func run() throws {
        let m = kvSeq ?? seq, g = kvHeads ?? heads
        let q = Tensor<Float>.normal([batch, heads, seq, headDim], seed: 1)
        let k = Tensor<Float>.normal([batch, g, m, headDim], seed: 2)
        let v = Tensor<Float>.normal([batch, g, m, headDim], seed: 3)
        let mask: AttentionMask = causal ? .causal : .none
        var forward: AttentionResult?
        let forwardTimes = timeRepeated(`repeat`) {
            forward = try? scaledDotProductAttention(queries: q, keys: k, values: v, mask: mask, threads: threads)
        }
        guard let forward else { throw ValidationError("attention failed on generated inputs") }
        var backwardSeconds: Double?
        if backward {
            let gradOutput = Tensor<Float>.normal(q.shape, seed: 4)
            let times = timeRepeated(`repeat`) {
                _ = try? scaledDotProductAttentionBackward(
                    queries: q, keys: k, values: v, forward: forward, gradOutput: gradOutput, mask: mask, threads: threads)
            }
            backwardSeconds = median(times)
        }
        let shape = try AttentionShape(queries: q.shape, keys: k.shape, values: v.shape)
        let flops = shape.forwardFLOPs(causal: causal)
        let seconds = median(forwardTimes)
        let peak = MachinePeak.measured(threads: threads)
        let depth = try depthSlots.map {
            try DepthOverhead.measure(slots: $0, queries: q, keys: k, values: v, mask: mask, backward: backward,
                                      repeat: `repeat`, threads: threads)
        }
        let result = AttentionBenchResult(
            batch: batch, heads: heads, kvHeads: g, seq: seq, kvSeq: m, headDim: headDim, causal: causal, threads: threads,
            seconds: seconds, gflops: flops / seconds / 1e9, peakGFLOPS: peak,
            backwardSeconds: backwardSeconds, backwardGFLOPS: backwardSeconds.map { 2.5 * flops / $0 / 1e9 },
            depth: depth, maxRSSBytes: peakResidentBytes())
        if json {
            print(try JSONOutput.string(result))
        } else {
            var line = "attention B=\(batch) H=\(heads)/\(g) N=\(seq) M=\(m) D=\(headDim)\(causal ? " causal" : "") threads=\(threads): "
                + "forward \(format(seconds * 1e3, digits: 2)) ms, \(format(result.gflops, digits: 1)) GFLOP/s "
                + "(\(format(100 * result.gflops / peak, digits: 1))% of \(format(peak, digits: 1)))"
            if let backwardSeconds, let gflops = result.backwardGFLOPS {
                line += "; backward \(format(backwardSeconds * 1e3, digits: 2)) ms, \(format(gflops, digits: 1)) GFLOP/s, "
                    + "forward+backward = \(format((seconds + backwardSeconds) / seconds, digits: 2))× forward"
            }
            print(line + "; peak RSS \(format(Double(result.maxRSSBytes) / 1_048_576, digits: 1)) MiB")
            if let depth { print(depthLine(depth)) }
        }
    }
}

/// The text line of `--depth-slots`: median times of the alternating rounds and the overheads.
private func depthLine(_ depth: DepthOverhead) -> String {
    func percent(_ x: Double) -> String { (x >= 0 ? "+" : "") + format(100 * x, digits: 1) + "%" }
    var line = "depth slots S=\(depth.slots) (alternating with plain): forward \(format(depth.depthSeconds * 1e3, digits: 2)) ms "
        + "vs \(format(depth.plainSeconds * 1e3, digits: 2)) ms (\(percent(depth.forwardOverhead)))"
    if let plain = depth.plainBackwardSeconds, let withSlots = depth.depthBackwardSeconds,
       let overhead = depth.backwardOverhead {
        line += "; backward \(format(withSlots * 1e3, digits: 2)) ms vs \(format(plain * 1e3, digits: 2)) ms (\(percent(overhead)))"
    }
    return line
}

struct AttentionBenchResult: Codable {
    let batch, heads, kvHeads, seq, kvSeq, headDim: Int
    let causal: Bool
    let threads: Int
    let seconds, gflops, peakGFLOPS: Double
    let backwardSeconds, backwardGFLOPS: Double?
    let depth: DepthOverhead?
    let maxRSSBytes: Int

    enum CodingKeys: String, CodingKey {
        case batch, heads, seq, causal, threads, seconds, gflops
        case kvHeads = "kv_heads", kvSeq = "kv_seq", headDim = "head_dim", peakGFLOPS = "peak_gflops"
        case backwardSeconds = "backward_seconds", backwardGFLOPS = "backward_gflops", maxRSSBytes = "max_rss_bytes"
        case depth = "depth_slots"
    }
}

/// The process's peak resident memory so far, in bytes (getrusage: kilobytes on Linux, bytes on macOS).
func peakResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss
    #endif
}
