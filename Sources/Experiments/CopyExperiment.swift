import Foundation
import Training

/// Copying vs string length (Jelassi et al. 2024, "Repeat after me"; SCIENCE.md §4): trains 2-layer models
/// on `$ s | s .` (s of L letters from 26, loss on the copied half) with exact attention and with recurrent
/// mixers at equal parameter count, and stores the sequence accuracy per string length L. A recurrent
/// mixer carries a fixed-size state from the string to its copy, while attention reads the string back
/// from its KV cache; the string holds log2(26)·L bits. Claims: the transformer copies the longest strings;
/// each recurrent mixer copies them less well; and whether those strings hold more bits than its state.
///
/// Default: reference width 32, L in 1…16, exact vs mamba:16 vs linear × 2 learning rates = 6 runs of 2000 steps, sized
/// for ≤ 20 minutes on 2 cores with the release build (measured in the README); the full grid through
/// `--full` or the flags, with `--shard`.
public struct CopyExperiment: Experiment {
    public static let name = "copy"
    public static let title = "Copying vs string length: exact attention vs recurrent mixers at equal parameter count"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: CopyConfiguration
    /// Per (mixer, reference width): the mixer's width of equal parameter count and that count.
    let matched: [MatchKey: (width: Int, parameters: Int)]

    struct MatchKey: Hashable {
        let mixer: String
        let referenceWidth: Int
    }

    public init(configuration: CopyConfiguration) throws(ExperimentError) {
        let c = configuration
        guard !c.mixers.isEmpty else { throw .invalidOption("mixers must not be empty") }
        try OptionCheck.distinct(c.mixers.map(\.description), "mixers")
        try OptionCheck.sizes(c.widths, "widths")
        try OptionCheck.distinct(c.widths, "widths")
        guard !c.learningRates.isEmpty, c.learningRates.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidOption("learning rates must be positive, got \(c.learningRates)")
        }
        try OptionCheck.distinct(c.learningRates, "learning rates")
        for (value, name) in [(c.heads, "heads"), (c.minLength, "min length"), (c.layers, "layers"), (c.steps, "steps"),
                              (c.batchSize, "batch"), (c.trainSamples, "training samples"),
                              (c.validationSamples, "validation samples")] {
            try OptionCheck.size(value, name)
        }
        guard c.maxLength >= c.minLength else {
            throw .invalidOption("max length must be at least min length, got \(c.maxLength) and \(c.minLength)")
        }
        for width in c.widths where width % c.heads != 0 {
            throw .invalidOption("width \(width) is not a multiple of \(c.heads) heads")
        }
        var matched: [MatchKey: (width: Int, parameters: Int)] = [:]
        for width in c.widths {
            do {
                let target = try EqualParameterWidth.parameters(Self.model(c, mixer: .exact, width: width))
                for mixer in c.mixers {
                    matched[MatchKey(mixer: mixer.description, referenceWidth: width)] = try EqualParameterWidth.closest(
                        to: target, step: Self.widthStep(mixer, heads: c.heads), limit: 4 * width) {
                            Self.model(c, mixer: mixer, width: $0)
                        }
                }
            } catch {
                throw .invalidOption("width \(width): \(error)")
            }
        }
        self.configuration = c
        self.matched = matched
        for point in points {
            do { try trainingConfiguration(point).validate() } catch {
                throw .invalidOption("\(describe(point)): \(error)")
            }
        }
    }

    /// The widths a mixer may take are multiples of this: the heads for the attention-like mixers, 2 for a
    /// Mamba block (its own projections have no heads), for a closer parameter match.
    static func widthStep(_ mixer: MixerChoice, heads: Int) -> Int {
        if case .mamba = mixer { return 2 }
        return heads
    }

    /// Reference width by reference width, then mixer and learning rate.
    public var points: [CopyPoint] {
        let c = configuration
        return c.widths.flatMap { reference in
            c.mixers.flatMap { mixer in
                c.learningRates.map {
                    CopyPoint(mixer: mixer.description, referenceWidth: reference,
                              width: matched[MatchKey(mixer: mixer.description, referenceWidth: reference)]!.width,
                              learningRate: $0)
                }
            }
        }
    }

    public func describe(_ point: CopyPoint) -> String {
        "\(point.mixer) width=\(point.width) (≈ exact at \(point.referenceWidth)) lr=\(NumberText.short(Double(point.learningRate)))"
    }

    /// The copy task of the configuration.
    var task: TaskDescription {
        let c = configuration
        return .copy(CopyTask(minLength: c.minLength, maxLength: c.maxLength, trainSamples: c.trainSamples,
                              validationSamples: c.validationSamples))
    }

    /// The copy task's default model (causal, pre-norm, learned positions, MLP 4·width) with `mixer` at `width`.
    static func model(_ c: CopyConfiguration, mixer: MixerChoice, width: Int) -> ModelDescription {
        TaskDescription.copy(CopyTask(minLength: c.minLength, maxLength: c.maxLength))
            .defaultModel(layers: c.layers, heads: c.heads, width: width, mixer: mixer)
    }

    /// The training run of one point: AdamW with weight decay 0.1, warm-up and cosine decay.
    public func trainingConfiguration(_ point: CopyPoint) -> TrainingConfiguration {
        let c = configuration
        let mixer = MixerChoice(argument: point.mixer) ?? .exact
        return TrainingConfiguration(
            task: task, model: Self.model(c, mixer: mixer, width: point.width), steps: c.steps, batchSize: c.batchSize,
            learningRate: point.learningRate, weightDecay: 0.1, seed: UInt64(c.seed))
    }

    /// Validation points per run for the learning curves.
    static let curvePoints = 8

    public func measure(_ point: CopyPoint, peakGFLOPS: Double?) throws -> CopyValues {
        let training = trainingConfiguration(point)
        let threads = configuration.settings.threads
        let (result, trainer) = try Training.train(training, threads: threads, curvePoints: Self.curvePoints)
        let state = try training.model.mixer.stateBytes(model: training.model) * training.model.layers
        return CopyValues(accuracy: result.validationMetric, lengths: trainer.evaluateByTargetCount(threads: threads),
                          validationLoss: result.validationLoss, trainLoss: result.trainLoss, stateBytes: state,
                          parameters: trainer.model.parameters.count, steps: result.steps,
                          stepsPerSecond: result.stepsPerSecond, seconds: result.seconds, curve: result.curve)
    }

    public func learningCurve(_ values: CopyValues) -> [CurvePoint] { values.curve }

    public func analyse(_ results: [ExperimentResult<CopyPoint, CopyValues>]) -> ExperimentAnalysis {
        CopyAnalysis(configuration: configuration, results: results).analysis()
    }
}
