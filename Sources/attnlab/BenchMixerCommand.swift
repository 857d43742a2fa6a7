import ArgumentParser
import Foundation
import Kernels
import Mixers

struct BenchMixerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixer",
        abstract: "Time a token mixer or the Mamba block forward (and backward): seconds, GFLOP/s from the mixer's own FLOP count, state, peak memory.",
        discussion: """
            FLOPs are the mixer's `flops(n:d:)` per token × N × B·H (as performed: the linear-state engine \
            (linear, gla, retnet, performer, polynomial) counts the causal triangle of each C×C chunk, C = 64; Based \
            counts whole 128×128 chunks); the backward pass is counted as 2.5× the forward FLOPs. Inputs are N(0, 1). \
            mamba times the block (mamba_simple defaults, seed --seed) on X [B, N, --width]; --heads and \
            --head-dim do not apply to it, and it is causal by construction.
            """)

    @Option(help: "The mixer: \(MixerName.allCases.map(\.rawValue).joined(separator: ", ")).") var mixer: MixerName
    @Option(help: "Sequence length N.") var seq: Int
    @Option(help: "Heads H.") var heads: Int = 1
    @Option(help: "Head dimension D.") var headDim: Int = 64
    @Option(help: "Batch size B.") var batch: Int = 1
    @Flag(help: "Causal.") var causal = false
    @Flag(help: "Also time the backward pass.") var backward = false
    @Option(help: "Window width (window).") var window: Int?
    @Option(help: "Random features (performer) or projected length (linformer).") var features: Int?
    @Option(help: "Polynomial degree.") var degree: Int?
    @Option(help: "Entry bound B of Q and K (polynomial: P approximates exp on [−s·D·B², s·D·B²]; default: the inputs' largest |entry|).")
    var bound: Float?
    @Option(help: "Nyström landmarks (divide N).") var landmarks: Int?
    @Option(help: "Mamba's model width m.") var width: Int = 64
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Timed repetitions; the median is reported.") var `repeat`: Int = 3
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard seq >= 1, heads >= 1, headDim >= 1, batch >= 1, width >= 1 else {
            throw ValidationError("--seq, --heads, --head-dim, --batch and --width must be at least 1")
        }
        try OptionLimits.check(`repeat`, in: OptionLimits.repeats, option: "--repeat")
        try OptionLimits.check(width, in: 1...IntegerList.largest, option: "--width")
        if mixer == .mamba {
            // X, Y and the saved activations (about 12 rows of 2m per token) with their gradients.
            try OptionLimits.checkElements(Array(repeating: [batch, seq, 2 * width], count: backward ? 24 : 12),
                                           describing: "the Mamba block's inputs and activations")
        } else {
            try OptionLimits.checkElements(Array(repeating: [batch, heads, seq, headDim], count: backward ? 8 : 4),
                                           describing: "the queries, keys, values and outputs")
        }
    }

    func run() throws {
        do {
            if let kind = mixer.tokenKind {
                let descriptor = MixerDescription(kind: kind, features: features, degree: degree, bound: bound, window: window,
                                                  landmarks: landmarks, seed: seed, causal: causal)
                try measure(try descriptor.makeMixer())
            } else {
                try measure(try MambaMixer(MambaConfiguration(modelWidth: width, seed: seed)))
            }
        } catch let error as MixerError {
            throw CommandError("\(error)")
        }
    }

    private func measure(_ token: any TokenMixer) throws {
        let shape = [batch, heads, seq, headDim]
        let (q, k, v) = (Tensor<Float>.normal(shape, seed: 1), Tensor<Float>.normal(shape, seed: 2), Tensor<Float>.normal(shape, seed: 3))
        var forward = try token.forward(queries: q, keys: k, values: v)  // warm-up, and the errors surface here
        let seconds = median(timeRepeated(`repeat`) { forward = (try? token.forward(queries: q, keys: k, values: v)) ?? forward })
        var backwardSeconds: Double?
        if backward {
            let gradOutput = Tensor<Float>.normal(shape, seed: 4)
            _ = try token.backward(queries: q, keys: k, values: v, forward: forward, gradOutput: gradOutput)
            backwardSeconds = median(timeRepeated(`repeat`) {
                _ = try? token.backward(queries: q, keys: k, values: v, forward: forward, gradOutput: gradOutput)
            })
        }
        try report(seconds: seconds, backwardSeconds: backwardSeconds,
                   flops: token.flops(n: seq, d: headDim) * Double(seq * batch * heads),
                   stateBytes: token.stateBytes(n: seq, d: headDim) * batch * heads,
                   shape: "B=\(batch) H=\(heads) N=\(seq) D=\(headDim)\(causal ? " causal" : "")")
    }

    private func measure(_ block: MambaMixer) throws {
        let shape = [batch, seq, width]
        let x = Tensor<Float>.normal(shape, seed: 1)
        var forward = try block.forward(x)
        let seconds = median(timeRepeated(`repeat`) { forward = (try? block.forward(x)) ?? forward })
        var backwardSeconds: Double?
        if backward {
            let gradOutput = Tensor<Float>.normal(shape, seed: 4)
            _ = try block.backward(x, forward: forward, gradOutput: gradOutput)
            backwardSeconds = median(timeRepeated(`repeat`) { _ = try? block.backward(x, forward: forward, gradOutput: gradOutput) })
        }
        try report(seconds: seconds, backwardSeconds: backwardSeconds, flops: block.flops(n: seq) * Double(seq * batch),
                   stateBytes: block.stateBytes * batch, shape: "B=\(batch) N=\(seq) m=\(width) causal")
    }

    private func report(seconds: Double, backwardSeconds: Double?, flops: Double, stateBytes: Int, shape: String) throws {
        let peak = MachinePeak.measured(threads: Parallelism.defaultThreads)
        let isMamba = mixer == .mamba
        let tokenShape: (heads: Int?, headDim: Int?) = isMamba ? (nil, nil) : (heads, headDim)
        let backwardGFLOPS: Double? = backwardSeconds.map { 2.5 * flops / $0 / 1e9 }
        let result = MixerBenchResult(
            mixer: mixer.rawValue, batch: batch, seq: seq, heads: tokenShape.heads, headDim: tokenShape.headDim,
            width: isMamba ? width : nil, causal: isMamba || causal, seconds: seconds, gflops: flops / seconds / 1e9,
            peakGFLOPS: peak, backwardSeconds: backwardSeconds, backwardGFLOPS: backwardGFLOPS,
            stateBytes: stateBytes, maxRSSBytes: peakResidentBytes())
        if json {
            print(try JSONOutput.string(result))
            return
        }
        var line = "mixer \(mixer.rawValue) \(shape): "
            + "forward \(format(seconds * 1e3, digits: 2)) ms, \(format(result.gflops, digits: 1)) GFLOP/s "
            + "(\(format(100 * result.gflops / peak, digits: 1))% of \(format(peak, digits: 1)))"
        if let backwardSeconds, let gflops = result.backwardGFLOPS {
            line += "; backward \(format(backwardSeconds * 1e3, digits: 2)) ms, \(format(gflops, digits: 1)) GFLOP/s"
        }
        print(line + "; state \(result.stateBytes) bytes; peak RSS \(format(Double(result.maxRSSBytes) / 1_048_576, digits: 1)) MiB")
    }
}

struct MixerBenchResult: Codable {
    let mixer: String
    let batch, seq: Int
    /// H and D of a token mixer, nil for Mamba.
    let heads, headDim: Int?
    /// Mamba's model width m, nil for token mixers.
    let width: Int?
    let causal: Bool
    let seconds, gflops, peakGFLOPS: Double
    let backwardSeconds, backwardGFLOPS: Double?
    let stateBytes, maxRSSBytes: Int

    enum CodingKeys: String, CodingKey {
        case mixer, batch, heads, seq, width, causal, seconds, gflops
        case headDim = "head_dim", peakGFLOPS = "peak_gflops", backwardSeconds = "backward_seconds"
        case backwardGFLOPS = "backward_gflops", stateBytes = "state_bytes", maxRSSBytes = "max_rss_bytes"
    }
}
extension MixerName: ExpressibleByArgument {}
