import ArgumentParser
import Experiments

struct ExperimentLargeEmbeddingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: LargeEmbeddingExperiment.name,
        abstract: "N×N×N products (the m = N regime): classical vs Strassen–Winograd, exponents and crossover.")

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Matrix sizes N.") var sizes = IntegerList(LargeEmbeddingConfiguration().sizes)
    @Option(help: "Strassen cut-off: sub-products with smallest side at most this use the classical kernel.")
    var cutoff = LargeEmbeddingConfiguration().cutoff
    @Option(help: "Algorithms timed.") var algorithms = NameList(LargeEmbeddingConfiguration().algorithms)

    func validate() throws { _ = try experiment() }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> LargeEmbeddingExperiment {
        try validated { () throws(ExperimentError) in
            try LargeEmbeddingExperiment(configuration: LargeEmbeddingConfiguration(
                sizes: sizes.values, cutoff: cutoff, algorithms: algorithms.values, settings: options.settings))
        }
    }
}
