import ArgumentParser
import Foundation
import Kernels
import Models

struct BenchTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformer",
        abstract: "Time a multi-layer transformer with random weights, forward and optionally backward.",
        discussion: """
            FLOPs count the projections, attention and MLP of the forward pass (norms, residuals and exps are \
            not counted). paper, per layer: 2·B·N·m·H·(2k + m) + 2·B·H·N²·(k + m) + 4·B·N·m·f (the padding to \
            a common head dimension max(k, m) is extra work, not counted). standard, per layer: 8·B·N·m² + \
            4·B·N²·m + 4·B·N·m·f.
            """)

    enum ModelKind: String, ExpressibleByArgument, CaseIterable {
        case paper, standard
    }

    @Option(help: "Layers L.") var layers: Int = 2
    @Option(help: "Heads per layer H.") var heads: Int = 8
    @Option(help: "Tokens per sequence N.") var seq: Int
    @Option(help: "Embedding m.") var dim: Int
    @Option(help: "paper (X + Σ_h Att_h(X) per layer) or standard (pre-norm block, W_O, GELU MLP).")
    var model: ModelKind = .paper
    @Option(help: "Query/key width k of the paper model (default: m).") var keyDim: Int?
    @Option(help: "MLP hidden width f (paper default: no MLP; standard default: 4m).") var mlpHidden: Int?
    @Option(help: "Batch size B.") var batch: Int = 1
    @Flag(help: "Also time the backward pass (to the input and every weight).") var backward = false
    @Option(help: "Threads (default: all cores).") var threads: Int = Parallelism.defaultThreads
    @Option(help: "Timed repetitions; the median is reported.") var `repeat`: Int = 5
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard layers >= 1, heads >= 1, seq >= 1, dim >= 1, batch >= 1, (mlpHidden ?? 1) >= 1 else {
            throw ValidationError("--layers, --heads, --seq, --dim, --batch and --mlp-hidden must be at least 1")
        }
        try OptionLimits.check(threads, in: OptionLimits.threads, option: "--threads")
        try OptionLimits.check(`repeat`, in: OptionLimits.repeats, option: "--repeat")
        // Activations of every layer (kept for the backward pass) and the weights, roughly.
        let width = max(dim, mlpHidden ?? dim, keyDim ?? dim)
        try OptionLimits.checkElements([[16, layers, batch, seq, width], [16, layers, heads, width, width]],
                                       describing: "the activations and weights")
        switch model {
        case .paper:
            guard dim <= 256, (1...256).contains(keyDim ?? 1) else {
                throw ValidationError("the paper model needs --dim and --key-dim in 1…256 (one attention head dimension)")
            }
        case .standard:
            guard keyDim == nil else { throw ValidationError("--key-dim applies to --model paper only") }
            guard dim % heads == 0, dim / heads <= 256 else {
                throw ValidationError("--heads \(heads) must divide --dim \(dim) with a head dimension of at most 256")
            }
        }
    }

    func run() throws {
        let x = Tensor<Float>.normal([batch, seq, dim], seed: 2)
        let timing = switch model {
        case .paper:
            try measure(PaperTransformer.random(layers: layers, heads: heads, embedding: dim, keyDimension: keyDim ?? dim,
                                                mlpHidden: mlpHidden, seed: 1), x)
        case .standard:
            try measure(StandardTransformer.random(layers: layers, heads: heads, embedding: dim, mlpHidden: mlpHidden, seed: 1), x)
        }
        let peak = MachinePeak.measured(threads: threads)
        let result = TransformerBenchResult(
            model: model.rawValue, layers: layers, heads: heads, seq: seq, dim: dim,
            keyDim: model == .paper ? keyDim ?? dim : nil, mlpHidden: model == .standard ? mlpHidden ?? 4 * dim : mlpHidden,
            batch: batch, threads: threads, seconds: timing.seconds, gflops: timing.flops / timing.seconds / 1e9,
            peakGFLOPS: peak, backwardSeconds: timing.backwardSeconds,
            backwardRatio: timing.backwardSeconds.map { $0 / timing.seconds }, maxRSSBytes: peakResidentBytes())
        if json {
            print(try JSONOutput.string(result))
        } else {
            var line = "\(model.rawValue) transformer L=\(layers) H=\(heads) N=\(seq) m=\(dim)"
                + (result.keyDim.map { " k=\($0)" } ?? "") + (result.mlpHidden.map { " f=\($0)" } ?? "")
                + " B=\(batch) threads=\(threads): forward \(format(result.seconds * 1e3, digits: 2)) ms, "
                + "\(format(result.gflops, digits: 1)) GFLOP/s (\(format(100 * result.gflops / peak, digits: 1))% of "
                + "\(format(peak, digits: 1)))"
            if let seconds = result.backwardSeconds, let ratio = result.backwardRatio {
                line += "; backward \(format(seconds * 1e3, digits: 2)) ms = \(format(ratio, digits: 2))× forward"
            }
            print(line + "; peak RSS \(format(Double(result.maxRSSBytes) / 1_048_576, digits: 1)) MiB")
        }
    }

    /// Median forward seconds (and backward seconds, from one cached forward pass) and forward FLOPs.
    private func measure<Model: TransformerModel>(
        _ model: Model, _ x: Tensor<Float>
    ) throws -> (seconds: Double, backwardSeconds: Double?, flops: Double) {
        let seconds = median(try timeThrowing(`repeat`) { _ = try model.forward(x, threads: threads) })
        var backwardSeconds: Double?
        if backward {
            let (_, cache) = try model.forwardWithCache(x, threads: threads)
            let gradOutput = Tensor<Float>.normal(x.shape, seed: 3)
            backwardSeconds = median(try timeThrowing(`repeat`) {
                _ = try model.backward(cache: cache, gradOutput: gradOutput, threads: threads)
            })
        }
        return (seconds, backwardSeconds, model.forwardFLOPs(batch: batch, sequence: seq))
    }

    /// `timeRepeated` for a throwing body: stops at and rethrows the first error.
    private func timeThrowing(_ count: Int, _ body: () throws -> Void) throws -> [Double] {
        var failure: Error?
        let times = timeRepeated(count) {
            guard failure == nil else { return }
            do { try body() } catch { failure = error }
        }
        if let failure { throw failure }
        return times
    }
}

struct TransformerBenchResult: Codable {
    let model: String
    let layers, heads, seq, dim: Int
    let keyDim, mlpHidden: Int?
    let batch, threads: Int
    let seconds, gflops, peakGFLOPS: Double
    let backwardSeconds, backwardRatio: Double?
    let maxRSSBytes: Int

    enum CodingKeys: String, CodingKey {
        case model, layers, heads, seq, dim, batch, threads, seconds, gflops
        case keyDim = "key_dim", mlpHidden = "mlp_hidden", peakGFLOPS = "peak_gflops", backwardSeconds = "backward_seconds"
        case backwardRatio = "backward_ratio", maxRSSBytes = "max_rss_bytes"
    }
}
