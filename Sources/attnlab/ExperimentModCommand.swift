import ArgumentParser
import Experiments
import Training

struct ExperimentModCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ModExperiment.name,
        abstract: "Mixture-of-Depths: isoFLOP loss of learned vs random routing vs the baseline, forward cost, routed attention.",
        discussion: """
            Trains baseline, learned-routing and random-routing models on the shipped text and on MQAR at equal \
            training FLOPs (the baseline runs fewer steps), times one forward pass of an 8-block model at N = 2048 \
            with and without routing, and times a routed block's attention at several N. The default is sized \
            for 15 minutes on 2 cores (release build); larger models through the flags, best split with --shard.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Fraction C in (0, 1] of tokens a routed block processes.") var capacity = ModConfiguration().capacity
    @Option(help: "Route every K-th block, 1…64.") var every = ModConfiguration().every
    @Option(help: "Tasks, comma-separated: text, mqar.") var tasks = ModConfiguration().tasks.joined(separator: ",")
    @Option(help: "Blocks of the trained models, 1…64.") var layers = ModConfiguration().layers
    @Option(help: "Width of the trained models, 1…1024.") var width = ModConfiguration().width
    @Option(help: "Heads of the trained models, 1…64.") var heads = ModConfiguration().heads
    @Option(help: "Text context in bytes, 1…4096.") var textContext = ModConfiguration().textContext
    @Option(help: "MQAR tokens per sequence, 4…4096.") var mqarLength = ModConfiguration().mqarLength
    @Option(help: "MQAR key-value pairs.") var mqarPairs = ModConfiguration().mqarPairs
    @Option(help: "MQAR vocabulary.") var mqarVocab = ModConfiguration().mqarVocabulary
    @Option(help: "Optimizer steps of the routed models (the baseline gets equal training FLOPs).") var steps = ModConfiguration().routedSteps
    @Option(help: "Examples per step.") var batch = ModConfiguration().batchSize
    @Option(help: "Peak learning rate.") var learningRate = ModConfiguration().learningRate
    @Option(help: "MQAR training examples.") var trainSamples = ModConfiguration().trainSamples
    @Option(help: "MQAR validation examples.") var validationSamples = ModConfiguration().validationSamples
    @Option(help: "Tokens of the forward-time model, 1…16384.") var timingLength = ModConfiguration().timingLength
    @Option(help: "Blocks of the forward-time model, 1…64.") var timingLayers = ModConfiguration().timingLayers
    @Option(help: "Width of the forward-time model (heads of 64), 1…1024.") var timingWidth = ModConfiguration().timingWidth
    @Option(help: "Sequence lengths N of the routed-attention timing, each ≤ 65536.") var attentionLengths =
        IntegerList(ModConfiguration().attentionLengths)

    func validate() throws {
        let ranges: KeyValuePairs<String, (Int, ClosedRange<Int>)> = [
            "--every": (every, 1...64), "--layers": (layers, 1...64), "--width": (width, 1...1024), "--heads": (heads, 1...64),
            "--text-context": (textContext, 1...4096), "--mqar-length": (mqarLength, 4...4096),
            "--timing-length": (timingLength, 1...16384), "--timing-layers": (timingLayers, 1...64),
            "--timing-width": (timingWidth, 1...1024),
        ]
        for (option, (value, range)) in ranges where !range.contains(value) {
            throw ValidationError("\(option) must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
        if let long = attentionLengths.values.first(where: { $0 > 65536 }) {
            throw ValidationError("--attention-lengths must be at most 65536, got \(long)")
        }
        try OptionLimits.checkAtMost(["--mqar-pairs": mqarPairs, "--mqar-vocab": mqarVocab, "--steps": steps, "--batch": batch,
                                      "--train-samples": trainSamples, "--validation-samples": validationSamples])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> ModExperiment {
        try validated { () throws(ExperimentError) in
            try ModExperiment(configuration: ModConfiguration(
                capacity: capacity, every: every, tasks: tasks.split(separator: ",").map(String.init), layers: layers,
                width: width, heads: heads, textContext: textContext, mqarLength: mqarLength, mqarPairs: mqarPairs,
                mqarVocabulary: mqarVocab, routedSteps: steps, batchSize: batch, learningRate: learningRate,
                trainSamples: trainSamples, validationSamples: validationSamples, timingLength: timingLength,
                timingLayers: timingLayers, timingWidth: timingWidth, attentionLengths: attentionLengths.values,
                settings: options.settings))
        }
    }
}
