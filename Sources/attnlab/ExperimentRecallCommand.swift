import ArgumentParser
import Experiments
import Training

struct ExperimentRecallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RecallExperiment.name,
        abstract: "MQAR accuracy vs width for exact attention vs linear, based, window, gla, mamba (Zoology's Figure 2, scaled down).",
        discussion: """
            Trains one 2-layer model per (N, kv, width, mixer, learning rate) with --threads threads; the timing \
            options are not used. The default ((N, kv) = (64, 4) for 400 steps and (128, 8) for 800 steps of \
            batch 64; width 32; exact, linear, window:16, gla, mamba; 3 learning rates) is sized for 20 minutes on \
            2 cores (release build); --full runs the issue's grid ((64, 4), (128, 8), (256, 16) at widths 32, 64, \
            128), best split with --shard.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Mixers, comma-separated (NAME[:P] as in `attnlab train --mixer`).") var mixers =
        RecallConfiguration.defaultMixers.map(\.description).joined(separator: ",")
    @Option(help: "Sequence lengths N, paired with --pairs.") var lengths = IntegerList(RecallConfiguration.defaultShapes.map(\.length))
    @Option(help: "Key-value pairs per sequence, one per length.") var pairs = IntegerList(RecallConfiguration.defaultShapes.map(\.pairs))
    @Option(help: "Model widths.") var widths = IntegerList(RecallConfiguration().widths)
    @Option(help: "Peak learning rates, comma-separated; each cell keeps the best.") var learningRates =
        RecallConfiguration().learningRates.map { "\($0)" }.joined(separator: ",")
    @Flag(help: "The issue's full grid: (N, kv) = (64, 4), (128, 8), (256, 16) at widths 32, 64, 128.") var full = false
    @Option(help: "Vocabulary size.") var vocab = RecallConfiguration().vocabulary
    @Option(help: "Optimizer steps of every run (default: a default shape's own steps, \(RecallConfiguration.defaultShapes.map { "\($0.steps ?? 0) at N = \($0.length)" }.joined(separator: ", ")); \(RecallConfiguration().steps) for other shapes).")
    var steps: Int?
    @Option(help: "Examples per step.") var batch = RecallConfiguration().batchSize
    @Option(help: "Training examples.") var trainSamples = RecallConfiguration().trainSamples
    @Option(help: "Validation examples.") var validationSamples = RecallConfiguration().validationSamples

    func validate() throws {
        try OptionLimits.checkAtMost(["--vocab": vocab, "--batch": batch, "--train-samples": trainSamples,
                                      "--validation-samples": validationSamples])
        if let steps { try OptionLimits.checkAtMost(["--steps": steps]) }
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> RecallExperiment {
        let choices = try TrainingSweepLists.mixers(mixers)
        let rates = try TrainingSweepLists.learningRates(learningRates)
        guard lengths.values.count == pairs.values.count else {
            throw ValidationError("--lengths and --pairs must have as many values, got \(lengths.values.count) and \(pairs.values.count)")
        }
        let given = full ? RecallConfiguration.fullShapes
            : zip(lengths.values, pairs.values).map { RecallConfiguration.Shape(length: $0, pairs: $1) }
        // A default shape keeps its own steps unless --steps is given.
        let shapes = given.map { shape in
            let own = RecallConfiguration.defaultShapes.first { $0.length == shape.length && $0.pairs == shape.pairs }?.steps
            return RecallConfiguration.Shape(length: shape.length, pairs: shape.pairs, steps: steps == nil ? own : nil)
        }
        return try validated { () throws(ExperimentError) in
            try RecallExperiment(configuration: RecallConfiguration(
                mixers: choices, shapes: shapes, widths: full ? RecallConfiguration.fullWidths : widths.values,
                learningRates: rates, vocabulary: vocab, steps: steps ?? RecallConfiguration().steps, batchSize: batch, trainSamples: trainSamples,
                validationSamples: validationSamples, settings: options.settings))
        }
    }
}
