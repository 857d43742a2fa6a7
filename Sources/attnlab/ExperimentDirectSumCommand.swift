import ArgumentParser
import Experiments

struct ExperimentDirectSumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DirectSumExperiment.name,
        abstract: "Time per head of L·H heads fused, separate, or as one wide head (claim: flat within ±20%).")

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Sequence length N of every head.") var length = DirectSumConfiguration().length
    @Option(help: "Head dimension m (1…256).") var headDim = DirectSumConfiguration().headDimension
    @Option(help: "Values of H; each is combined with each L.") var heads = IntegerList(DirectSumConfiguration().heads)
    @Option(help: "Values of L.") var layers = IntegerList(DirectSumConfiguration().layers)
    @Option(help: "How heads are computed: fused (one call), separate (one call per head), wide (one head of width H·m per layer).")
    var modes = NameList(DirectSumConfiguration().modes)

    func validate() throws {
        try OptionLimits.checkAtMost(["--length": length])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> DirectSumExperiment {
        try validated { () throws(ExperimentError) in
            try DirectSumExperiment(configuration: DirectSumConfiguration(
                length: length, headDimension: headDim, heads: heads.values, layers: layers.values, modes: modes.values,
                settings: options.settings))
        }
    }
}
