import ArgumentParser
import Experiments
import Training

struct ExperimentCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CopyExperiment.name,
        abstract: "Copy accuracy vs string length: a 2-layer transformer vs mamba and linear at equal parameter count (Jelassi et al.).",
        discussion: """
            Trains one 2-layer model per (reference width, mixer, learning rate) with --threads threads; the \
            timing options are not used. Each mixer runs at the width whose parameter count is closest to the \
            exact-attention model's of the reference width. The default (width 32; exact, mamba:16, linear; L in \
            1…16; 2 learning rates) is sized for 20 minutes on 2 cores (release build); --full runs widths 32, 64, \
            128 on strings up to 32 letters, best split with --shard.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Mixers, comma-separated (NAME[:P] as in `attnlab train --mixer`).") var mixers =
        CopyConfiguration.defaultMixers.map(\.description).joined(separator: ",")
    @Option(help: "Widths of the exact-attention model; the other mixers get the width of equal parameter count.")
    var widths = IntegerList(CopyConfiguration().widths)
    @Option(help: "Heads per layer (every width a multiple of it).") var heads = CopyConfiguration().heads
    @Option(help: "Shortest string, letters.") var minLength = CopyConfiguration().minLength
    @Option(help: "Longest string, letters.") var maxLength = CopyConfiguration().maxLength
    @Option(help: "Peak learning rates, comma-separated; each (mixer, width) keeps the best.") var learningRates =
        CopyConfiguration().learningRates.map { "\($0)" }.joined(separator: ",")
    @Flag(help: "The full grid: widths 32, 64, 128 and strings up to 32 letters.") var full = false
    @Option(help: "Optimizer steps per run.") var steps = CopyConfiguration().steps
    @Option(help: "Examples per step.") var batch = CopyConfiguration().batchSize
    @Option(help: "Training examples.") var trainSamples = CopyConfiguration().trainSamples
    @Option(help: "Validation examples.") var validationSamples = CopyConfiguration().validationSamples

    /// Widths and heads up to 1024, strings up to 1024 letters: the models' parameter matching builds each
    /// candidate width, so the sizes stay what one machine can hold.
    static let sizeRange = 1...1024

    func validate() throws {
        try OptionLimits.checkAtMost(["--steps": steps, "--batch": batch, "--train-samples": trainSamples,
                                      "--validation-samples": validationSamples])
        for (value, option) in [(heads, "--heads"), (minLength, "--min-length"), (maxLength, "--max-length")] {
            try OptionLimits.check(value, in: Self.sizeRange, option: option)
        }
        for width in widths.values { try OptionLimits.check(width, in: Self.sizeRange, option: "--widths") }
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> CopyExperiment {
        let choices = try TrainingSweepLists.mixers(mixers)
        let rates = try TrainingSweepLists.learningRates(learningRates)
        return try validated { () throws(ExperimentError) in
            try CopyExperiment(configuration: CopyConfiguration(
                mixers: choices, widths: full ? CopyConfiguration.fullWidths : widths.values, heads: heads,
                minLength: minLength, maxLength: full ? CopyConfiguration.fullMaxLength : maxLength, learningRates: rates,
                steps: steps, batchSize: batch, trainSamples: trainSamples, validationSamples: validationSamples,
                settings: options.settings))
        }
    }
}
