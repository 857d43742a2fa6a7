import ArgumentParser
import Experiments
import Training

struct ExperimentMoDACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MoDAExperiment.name,
        abstract: "MoDA depth keys in deep narrow character LMs, pre- vs post-norm (the paper's Table 6, scaled down).",
        discussion: """
            Trains one model per (layers, norm, variant) on the shipped text with --threads threads; the timing \
            options are not used. The default (24 layers, width 32, 2 heads, context 32; pre and post norm; \
            baseline, depth-keys, depth-keys+ffn; 100 steps of batch 16) is sized for 15 minutes on 2 cores \
            (release build); --full adds the 48-layer models, best split with --shard.
            """)

    /// Largest accepted depth, width, heads and context: keeps a model's buffers in memory.
    static let largestLayers = 256
    static let largestWidth = 1024
    static let largestContext = 1024

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Model depths, comma-separated.") var layers = IntegerList(MoDAConfiguration().layers)
    @Flag(help: "The issue's depths: 24 and 48 layers.") var full = false
    @Option(help: "Norm placements, comma-separated: pre, post.") var norms = "pre,post"
    @Option(help: "Variants, comma-separated: baseline, depth-keys, depth-keys+ffn.") var variants =
        MoDAVariant.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Model width.") var width = MoDAConfiguration().width
    @Option(help: "Attention heads.") var heads = MoDAConfiguration().heads
    @Option(help: "Context length in bytes.") var context = MoDAConfiguration().context
    @Option(help: "Optimizer steps per run.") var steps = MoDAConfiguration().steps
    @Option(help: "Examples per step.") var batch = MoDAConfiguration().batchSize
    @Option(help: "Peak learning rate.") var lr = MoDAConfiguration().learningRate

    func validate() throws {
        try OptionLimits.checkAtMost(["--steps": steps, "--batch": batch])
        try OptionLimits.checkAtMost(["--width": width, "--heads": heads], largest: Self.largestWidth)
        try OptionLimits.checkAtMost(["--context": context], largest: Self.largestContext)
        try OptionLimits.checkAtMost(["--layers": layers.values.max() ?? 0], largest: Self.largestLayers)
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> MoDAExperiment {
        let placements = try norms.split(separator: ",").map { name in
            guard let norm = NormPlacement(rawValue: String(name)), norm != .none else {
                throw ValidationError("--norms takes pre and post, got \(name)")
            }
            return norm
        }
        let kinds = try variants.split(separator: ",").map { name in
            guard let variant = MoDAVariant(rawValue: String(name)) else {
                throw ValidationError("unknown variant \(name) in --variants; expected baseline, depth-keys, depth-keys+ffn")
            }
            return variant
        }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        return try validated { () throws(ExperimentError) in
            try MoDAExperiment(configuration: MoDAConfiguration(
                layers: full ? MoDAConfiguration.fullLayers : layers.values, norms: placements, variants: kinds, width: width,
                heads: heads, context: context, steps: steps, batchSize: batch, learningRate: lr, settings: options.settings))
        }
    }
}
