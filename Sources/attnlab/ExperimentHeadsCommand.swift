import ArgumentParser
import Experiments

struct ExperimentHeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: HeadsExperiment.name,
        abstract: "D-retrieval NMSE vs heads (Yu et al.'s Table 2; claim: the drop at h = D = 4), or vs width at h = 1.",
        discussion: """
            Trains one model per (h, T, seed) from scratch with --threads threads; the timing options are not \
            used. The default (100 epochs, 15 points) takes about 13 minutes on 2 cores; the paper's values need \
            far longer training (--epochs, --lr). --width-sweep holds h = 1 and widens the head and embedding, \
            the input and output MLPs growing with them (hidden max(32, width)).
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Numbers of heads h (8 dimensions each).") var headsList = IntegerList(HeadsConfiguration().heads)
    @Option(help: "Sequence lengths T.") var lengths = IntegerList(HeadsConfiguration().lengths)
    @Option(help: "Epochs of training per point.") var epochs = HeadsConfiguration().epochs
    @Option(help: "Seeds per point (0, 1, …).") var seeds = HeadsConfiguration().seeds
    @Flag(help: "Sweep the width of one head (--widths) instead of the number of heads.") var widthSweep = false
    @Option(help: "Widths of the single head with --width-sweep.") var widths = IntegerList(HeadsConfiguration.defaultWidths)
    @Option(help: "Training examples.") var trainSamples = HeadsConfiguration().trainSamples
    @Option(help: "Validation examples.") var validationSamples = HeadsConfiguration().validationSamples
    @Option(help: "Examples per step.") var batch = HeadsConfiguration().batchSize
    @Option(help: "Peak learning rate (AdamW, warm-up + cosine).") var lr = HeadsConfiguration().learningRate

    func validate() throws {
        try OptionLimits.checkAtMost(["--epochs": epochs, "--seeds": seeds, "--train-samples": trainSamples,
                                      "--validation-samples": validationSamples, "--batch": batch])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> HeadsExperiment {
        try validated { () throws(ExperimentError) in
            try HeadsExperiment(configuration: HeadsConfiguration(
                heads: headsList.values, lengths: lengths.values, epochs: epochs, seeds: seeds,
                widths: widthSweep ? widths.values : nil, trainSamples: trainSamples,
                validationSamples: validationSamples, batchSize: batch, learningRate: lr, settings: options.settings))
        }
    }
}
