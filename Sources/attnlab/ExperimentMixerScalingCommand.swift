import ArgumentParser
import Experiments

struct ExperimentMixerScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MixerScalingExperiment.name,
        abstract: "Time vs N of every mixer (and Mamba): fitted exponents (claim: ≤ 1.15, exact 2) and where each overtakes flash.",
        discussion: """
            Budgets stay fixed in N. Causal-only mixers (window, gla, retnet, mamba) run causal beside causal \
            flash. The default (60 points, forward only) takes about 5 minutes on 2 cores with a release build; \
            --backward roughly doubles it.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Mixers timed (exact always is).") var mixers = NameList(MixerScalingConfiguration().mixers)
    @Option(help: "Sequence lengths N.") var lengths = IntegerList(MixerScalingConfiguration().lengths)
    @Option(help: "Heads H.") var heads = MixerScalingConfiguration().heads
    @Option(help: "Head dimension D (1…256); Mamba's width is H·D.") var headDim = MixerScalingConfiguration().headDimension
    @Option(help: "Window width w.") var window = MixerScalingConfiguration().window
    @Option(help: "Performer features m and Linformer's k.") var features = MixerScalingConfiguration().features
    @Option(help: "Polynomial degree g.") var degree = MixerScalingConfiguration().degree
    @Option(help: "Nyström landmarks (dividing every N).") var landmarks = MixerScalingConfiguration().landmarks
    @Flag(help: "Also time the backward pass.") var backward = false

    func validate() throws {
        try OptionLimits.checkAtMost(["--heads": heads, "--head-dim": headDim, "--window": window, "--features": features,
                                      "--degree": degree, "--landmarks": landmarks])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> MixerScalingExperiment {
        try validated { () throws(ExperimentError) in
            try MixerScalingExperiment(configuration: MixerScalingConfiguration(
                mixers: mixers.values, lengths: lengths.values, heads: heads, headDimension: headDim, window: window,
                features: features, degree: degree, landmarks: landmarks, backward: backward, settings: options.settings))
        }
    }
}
