import Foundation
import Training

/// Associative recall vs width (Zoology, Arora et al. 2023; SCIENCE.md §4): trains 2-layer models on
/// MQAR (keys and values from `vocabulary` tokens, queries at power-law gaps, loss only at the queries)
/// with exact attention and with sub-quadratic mixers, at every (N, kv pairs), width and learning rate,
/// and stores the validation accuracy. Claims: attention reaches ≥ 0.99 at every (N, kv, width) (best
/// learning rate); each sub-quadratic mixer stays below attention at the smallest width for N ≥ 128,
/// where its fixed-size state must hold kv pairs of width-sized vectors. The report plots accuracy
/// against the recurrent-state bytes.
///
/// Default: (N, kv) = (64, 4) and (128, 8), width 32, 5 mixers × 3 learning rates = 30 runs of batch 64
/// (400 steps at N = 64, 800 at N = 128), sized for ≤ 20 minutes on 2 cores with the release build
/// (measured in the README); the full grid through `--full` or the flags, with `--shard`.
public struct RecallExperiment: Experiment {
    public static let name = "recall"
    public static let title = "Associative recall (MQAR) vs width: exact attention vs sub-quadratic mixers"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: RecallConfiguration

    public init(configuration: RecallConfiguration) throws(ExperimentError) {
        let c = configuration
        guard !c.mixers.isEmpty else { throw .invalidOption("mixers must not be empty") }
        try OptionCheck.distinct(c.mixers.map(\.description), "mixers")
        try OptionCheck.sizes(c.widths, "widths")
        try OptionCheck.distinct(c.widths, "widths")
        guard !c.shapes.isEmpty else { throw .invalidOption("shapes must not be empty") }
        try OptionCheck.distinct(c.shapes, "shapes")
        guard !c.learningRates.isEmpty, c.learningRates.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidOption("learning rates must be positive, got \(c.learningRates)")
        }
        try OptionCheck.distinct(c.learningRates, "learning rates")
        for (value, name) in [(c.vocabulary, "vocabulary"), (c.layers, "layers"), (c.steps, "steps"), (c.batchSize, "batch"),
                              (c.trainSamples, "training samples"), (c.validationSamples, "validation samples")] {
            try OptionCheck.size(value, name)
        }
        for shape in c.shapes { if let steps = shape.steps { try OptionCheck.size(steps, "steps of N = \(shape.length)") } }
        self.configuration = c
        for point in points {
            do { try trainingConfiguration(point).validate() } catch {
                throw .invalidOption("\(describe(point)): \(error)")
            }
        }
    }

    /// Shape by shape, then width, mixer and learning rate.
    public var points: [RecallPoint] {
        let c = configuration
        return c.shapes.flatMap { shape in
            c.widths.flatMap { width in
                c.mixers.flatMap { mixer in
                    c.learningRates.map {
                        RecallPoint(mixer: mixer.description, length: shape.length, pairs: shape.pairs, width: width, learningRate: $0)
                    }
                }
            }
        }
    }

    public func describe(_ point: RecallPoint) -> String {
        "\(point.mixer) N=\(point.length) kv=\(point.pairs) width=\(point.width) lr=\(NumberText.short(Double(point.learningRate)))"
    }

    /// The training run of one point: MQAR at the point's shape, a 2-layer model of one head as wide as
    /// the model (no MLPs, pre-norm, learned positions), AdamW with weight decay 0.1.
    public func trainingConfiguration(_ point: RecallPoint) -> TrainingConfiguration {
        let c = configuration
        let task = TaskDescription.mqar(MQARTask(vocabulary: c.vocabulary, length: point.length, pairs: point.pairs,
                                                 trainSamples: c.trainSamples, validationSamples: c.validationSamples))
        let mixer = MixerChoice(argument: point.mixer) ?? .exact
        return TrainingConfiguration(
            task: task, model: task.defaultModel(layers: c.layers, heads: 1, width: point.width, mixer: mixer),
            steps: c.steps(length: point.length, pairs: point.pairs), batchSize: c.batchSize,
            learningRate: point.learningRate, weightDecay: 0.1,
            seed: UInt64(c.seed))
    }

    /// Validation points per run for the learning curves.
    static let curvePoints = 8

    public func measure(_ point: RecallPoint, peakGFLOPS: Double?) throws -> RecallValues {
        let training = trainingConfiguration(point)
        let (result, trainer) = try Training.train(training, threads: configuration.settings.threads,
                                                   curvePoints: Self.curvePoints)
        let state = try training.model.mixer.stateBytes(model: training.model) * training.model.layers
        return RecallValues(accuracy: result.validationMetric, validationLoss: result.validationLoss,
                            trainLoss: result.trainLoss, stateBytes: state, parameters: trainer.model.parameters.count,
                            steps: result.steps, stepsPerSecond: result.stepsPerSecond, seconds: result.seconds,
                            curve: result.curve)
    }

    public func learningCurve(_ values: RecallValues) -> [CurvePoint] { values.curve }

    public func analyse(_ results: [ExperimentResult<RecallPoint, RecallValues>]) -> ExperimentAnalysis {
        RecallAnalysis(configuration: configuration, results: results).analysis()
    }
}
