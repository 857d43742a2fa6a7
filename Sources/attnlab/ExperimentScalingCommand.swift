import ArgumentParser
import Experiments

struct ExperimentScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ScalingExperiment.name,
        abstract: "Exact attention time vs N at fixed m, H, L, and vs m at fixed N: fitted exponents (claim: 2 in N).")

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Sequence lengths N of the sweep in N.") var lengths = IntegerList(ScalingConfiguration().lengths)
    @Option(help: "Head dimension m of the sweep in N (1…256).") var headDim = ScalingConfiguration().headDimension
    @Option(help: "Head dimensions of the sweep in m (1…256).") var headDims = IntegerList(ScalingConfiguration().headDimensions)
    @Option(help: "N of the sweep in m.") var fixedLength = ScalingConfiguration().fixedLength
    @Option(help: "Heads H per attention call.") var heads = ScalingConfiguration().heads
    @Option(help: "Layers L: attention calls one after another.") var layers = ScalingConfiguration().layers
    @Option(help: "Algorithms timed: flash (never stores the N×N scores), naive (materialises them).")
    var paths = NameList(ScalingConfiguration().paths)

    func validate() throws {
        try OptionLimits.checkAtMost(["--fixed-length": fixedLength, "--heads": heads, "--layers": layers])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> ScalingExperiment {
        try validated { () throws(ExperimentError) in
            try ScalingExperiment(configuration: ScalingConfiguration(
                lengths: lengths.values, headDimension: headDim, headDimensions: headDims.values, fixedLength: fixedLength,
                heads: heads, layers: layers, paths: paths.values, settings: options.settings))
        }
    }
}
