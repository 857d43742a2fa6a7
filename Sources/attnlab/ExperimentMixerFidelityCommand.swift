import ArgumentParser
import Experiments
import Mixers

struct ExperimentMixerFidelityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MixerFidelityExperiment.name,
        abstract: "Relative error of each sub-quadratic mixer vs exact softmax on Gaussian, moderate-norm and long-range retrieval inputs, vs N, budget and time.",
        discussion: """
            Every mixer at every budget on every input and N, beside exact attention; errors against a Float64 \
            softmax on --reference-rows rows per head. Claims: sub-quadratic mixers err by ≥ 0.1 on retrieval \
            inputs at the largest N; Performer's error falls as m^(−1/2) on moderate-norm inputs. The default \
            (216 points) takes about 7 minutes on 2 cores with a release build.
            """)

    @OptionGroup var options: ExperimentOptions
    @Option(help: "Inputs: gaussian, moderate (Q, K ~ N(0, 1/(2√D))), retrieval.") var inputs = NameList(MixerFidelityConfiguration().inputs)
    @Option(help: "Sequence lengths N (divisible by every landmark count).") var lengths = IntegerList(MixerFidelityConfiguration().lengths)
    @Option(help: "Mixers compared with exact.") var mixers = NameList(MixerFidelityConfiguration().mixers)
    @Option(help: "Heads H.") var heads = MixerFidelityConfiguration().heads
    @Option(help: "Head dimension D (1…256).") var headDim = MixerFidelityConfiguration().headDimension
    @Option(help: "Window widths w.") var windows = IntegerList(MixerFidelityConfiguration().windows)
    @Option(help: "Performer random features m.") var performerFeatures = IntegerList(MixerFidelityConfiguration().performerFeatures)
    @Option(help: "Linformer projected lengths k.") var linformerFeatures = IntegerList(MixerFidelityConfiguration().linformerFeatures)
    @Option(help: "Polynomial degrees g.") var degrees = IntegerList(MixerFidelityConfiguration().degrees)
    @Option(help: "Nyström landmarks (dividing every N).") var landmarks = IntegerList(MixerFidelityConfiguration().landmarks)
    @Option(help: "Rows per head on which errors are measured against the Float64 reference.")
    var referenceRows = MixerFidelityConfiguration().referenceRows
    @Option(help: "Seed of the inputs and of the random mixers.") var seed: UInt64 = 0

    func validate() throws {
        try OptionLimits.checkAtMost(["--heads": heads, "--head-dim": headDim, "--reference-rows": referenceRows])
        _ = try experiment()
    }

    func run() throws { try options.run(experiment()) }

    private func experiment() throws -> MixerFidelityExperiment {
        try validated { () throws(ExperimentError) in
            try MixerFidelityExperiment(configuration: MixerFidelityConfiguration(
                inputs: inputs.values, lengths: lengths.values, mixers: mixers.values, heads: heads, headDimension: headDim,
                windows: windows.values, performerFeatures: performerFeatures.values,
                linformerFeatures: linformerFeatures.values, degrees: degrees.values, landmarks: landmarks.values,
                referenceRows: referenceRows, seed: seed, settings: options.settings))
        }
    }
}
