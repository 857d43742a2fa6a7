import ArgumentParser
import Experiments

struct ExperimentBoundedEntriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: BoundedEntriesExperiment.name,
        abstract: "Alman–Song's threshold: polynomial-method error vs exact softmax as the entry bound B/√ln n grows.",
        discussion: """
            Q, K, V uniform in [−B, B], d = ⌈log₂ n⌉, scale 1/d; the polynomial's degree is the smallest reaching \
            relative error 1/(4n) on [−B², B²], capped by --max-features. One timed call of each mixer per point; \
            the timing options are not used. The full grid is --lengths 256,1024,4096,16384.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Sequence lengths n (d = ⌈log₂ n⌉).") var lengths = IntegerList(BoundedEntriesConfiguration().lengths)
    @Option(help: "Entry bounds as B/√(ln n).") var ratios = DecimalList(BoundedEntriesConfiguration.defaultRatios)
    @Option(help: "Cap on the polynomial's features C(d + g, g).") var maxFeatures = BoundedEntriesConfiguration().maximumFeatures
    @Option(help: "Seed of Q, K, V.") var seed: UInt64 = BoundedEntriesConfiguration().seed

    func validate() throws { _ = try experiment() }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> BoundedEntriesExperiment {
        try validated { () throws(ExperimentError) in
            try BoundedEntriesExperiment(configuration: BoundedEntriesConfiguration(
                lengths: lengths.values, ratios: ratios.values, maximumFeatures: maxFeatures, seed: seed,
                settings: options.settings))
        }
    }
}
