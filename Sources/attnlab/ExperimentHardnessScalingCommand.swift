import ArgumentParser
import Experiments
import Hardness

struct ExperimentHardnessScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: HardnessScalingExperiment.name,
        abstract: "Transformer construction vs brute force on OV and 3-OV \"no\" instances as n grows (claim: both n²).")

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Problems: ov, 3ov.") var problems = NameList(HardnessScalingConfiguration().problems)
    @Option(help: "Vectors per set n (d = max(4, ⌈2·log₂ n⌉)).") var sizes = IntegerList(HardnessScalingConfiguration().setSizes)
    @Option(help: "|C| for 3-OV: heads of its transformer.") var thirdSetSize = HardnessScalingConfiguration().thirdSetSize
    @Option(help: "Methods timed: transformer, brute-force.") var methods = NameList(HardnessScalingConfiguration().methods)

    func validate() throws {
        try OptionLimits.checkAtMost(["--third-set-size": thirdSetSize])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> HardnessScalingExperiment {
        try validated { () throws(ExperimentError) in
            try HardnessScalingExperiment(configuration: HardnessScalingConfiguration(
                problems: problems.values, setSizes: sizes.values, thirdSetSize: thirdSetSize, methods: methods.values,
                settings: options.settings))
        }
    }
}
