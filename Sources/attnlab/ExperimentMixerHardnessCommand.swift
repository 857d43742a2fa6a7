import ArgumentParser
import Experiments
import Hardness
import Mixers

struct ExperimentMixerHardnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MixerHardnessExperiment.name,
        abstract: "Each mixer in place of exact attention inside the OV / Max-IP / LSD / 3-OV constructions: accuracy vs n and budget.",
        discussion: """
            Planted yes/no instances per (problem, n); budgets are window widths, Performer/Linformer features, \
            Nyström landmarks and polynomial features. One-set max-ip and msd mask the diagonal, which only exact \
            attention can: use their bichromatic forms. Larger n: --set-sizes 4096,8192 with --shard. \
            --json adds an `accuracy` list of {mixer, problem, n, budget, accuracy, seconds, mixer_seconds}.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Problems.") var problems = NameList<HardnessProblem>(MixerHardnessConfiguration().problems)
    @Option(help: "Vectors per set n (d = max(4, ⌈2·log₂ n⌉)).") var setSizes = IntegerList(MixerHardnessConfiguration().setSizes)
    @Option(help: "Mixers.") var mixers = NameList<MixerKind>(MixerHardnessConfiguration().mixers)
    @Option(help: "Budgets: window, features, landmarks, polynomial features.") var budgets = IntegerList(MixerHardnessConfiguration().budgets)
    @Option(help: "Planted-yes (and as many planted-no) instances per (problem, n).") var instances = MixerHardnessConfiguration().instances
    @Option(help: "3-OV's |C| (heads).") var thirdSetSize = MixerHardnessConfiguration().thirdSetSize
    @Option(help: "Seed of the instances and random features.") var seed: UInt64 = MixerHardnessConfiguration().seed

    func validate() throws {
        try OptionLimits.checkAtMost(["--instances": instances, "--third-set-size": thirdSetSize])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> MixerHardnessExperiment {
        try validated { () throws(ExperimentError) in
            try MixerHardnessExperiment(configuration: MixerHardnessConfiguration(
                problems: problems.values, setSizes: setSizes.values, mixers: mixers.values, budgets: budgets.values,
                instances: instances, thirdSetSize: thirdSetSize, seed: seed, settings: options.settings))
        }
    }
}
