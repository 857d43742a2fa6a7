import ArgumentParser
import Experiments

struct ExperimentGradientCostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GradientCostExperiment.name,
        abstract: "Backward/forward time ratio of attention and the transformer across N and L (claim: bounded, near the FLOP ratio).")

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Sequence lengths N.") var lengths = IntegerList(GradientCostConfiguration().lengths)
    @Option(help: "Head dimension m (1…256).") var headDim = GradientCostConfiguration().headDimension
    @Option(help: "Heads H per attention call or transformer layer.") var heads = GradientCostConfiguration().heads
    @Option(help: "Layers L of the transformer level.") var layers = IntegerList(GradientCostConfiguration().layers)
    @Option(help: "What is differentiated: attention (one call), transformer (the paper's model).") var levels = NameList(GradientCostConfiguration().levels)

    func validate() throws {
        try OptionLimits.checkAtMost(["--heads": heads])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> GradientCostExperiment {
        try validated { () throws(ExperimentError) in
            try GradientCostExperiment(configuration: GradientCostConfiguration(
                lengths: lengths.values, headDimension: headDim, heads: heads, layers: layers.values, levels: levels.values,
                settings: options.settings))
        }
    }
}
