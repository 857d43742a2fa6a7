import ArgumentParser
import Experiments

struct ExperimentAttnResCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: AttnResExperiment.name,
        abstract: "Attention Residuals (full, block) vs the pre-norm residual stream: hidden-state RMS, output RMS and gradient norm over depth, α, loss.",
        discussion: """
            Trains one character-level language model on the shipped text per (depth, variant) with --threads \
            threads; the timing options are not used. The default (depths 16 and 32, width 32, baseline, full \
            and block with 8 blocks, 100 steps of batch 16) is sized for 15 minutes on 2 cores (release build); \
            larger grids through the flags, best split with --shard.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Depths (blocks of attention + MLP).") var depths = IntegerList(AttnResConfiguration().depths)
    @Option(help: "Variants, comma-separated: baseline, full, block.") var variants =
        NameList(AttnResConfiguration().variants)
    @Option(help: "Block mode's number of blocks (divides 2·depth).") var blocks = AttnResConfiguration().blocks
    @Option(help: "Model width.") var width = AttnResConfiguration().width
    @Option(help: "Attention heads (divide the width).") var heads = AttnResConfiguration().heads
    @Option(help: "Bytes per training window.") var context = AttnResConfiguration().context
    @Option(help: "Optimizer steps per run.") var steps = AttnResConfiguration().steps
    @Option(help: "Examples per step.") var batch = AttnResConfiguration().batchSize
    @Option(help: "Peak learning rate.") var learningRate = AttnResConfiguration().learningRate

    func validate() throws {
        try OptionLimits.checkAtMost(["--blocks": blocks, "--width": width, "--heads": heads, "--context": context,
                                      "--steps": steps, "--batch": batch])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> AttnResExperiment {
        try validated { () throws(ExperimentError) in
            try AttnResExperiment(configuration: AttnResConfiguration(
                depths: depths.values, variants: variants.values, blocks: blocks, width: width, heads: heads,
                context: context, steps: steps, batchSize: batch, learningRate: learningRate, settings: options.settings))
        }
    }
}
