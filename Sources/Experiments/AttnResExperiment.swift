import Foundation
import Training

/// Attention Residuals vs the pre-norm residual stream (Kimi Team, arXiv 2603.15031; SCIENCE.md §5):
/// trains deep, narrow character-level language models on the shipped text with the standard stream,
/// full and block Attention Residuals, and stores the validation loss and the depth profile after
/// training (RMS of the state entering each sub-layer and of its output, the gradient norm of each
/// block, α averaged over tokens). Claims: the baseline's hidden-state RMS grows with depth (last/first
/// ratio ≥ 2) while Attention Residuals keep it bounded (their ratio at most half the baseline's);
/// per-block gradient norms are more uniform with Attention Residuals (max/min across blocks below
/// the baseline's).
///
/// Default: depths 16 and 32, width 32, 3 variants = 6 runs of 100 steps (batch 16, context 32), sized
/// for ≤ 15 minutes on 2 cores with the release build; other grids through the flags and `--shard`.
public struct AttnResExperiment: Experiment {
    public static let name = "attnres"
    public static let title = "Attention Residuals vs the pre-norm residual stream: magnitudes and gradients over depth"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: AttnResConfiguration
    /// Bounds that keep one model's activations within a few GB.
    static let largestDepth = 256
    static let largestWidth = 1024

    public init(configuration: AttnResConfiguration) throws(ExperimentError) {
        let c = configuration
        try OptionCheck.sizes(c.depths, "depths")
        try OptionCheck.distinct(c.depths, "depths")
        guard !c.variants.isEmpty else { throw .invalidOption("variants must not be empty") }
        try OptionCheck.distinct(c.variants, "variants")
        for (value, name) in [(c.blocks, "blocks"), (c.width, "width"), (c.heads, "heads"), (c.context, "context"),
                              (c.steps, "steps"), (c.batchSize, "batch")] {
            try OptionCheck.size(value, name)
        }
        guard c.depths.allSatisfy({ $0 <= Self.largestDepth }), c.width <= Self.largestWidth else {
            throw .invalidOption("depths must be at most \(Self.largestDepth) and width at most \(Self.largestWidth), got \(c.depths) and \(c.width)")
        }
        guard c.learningRate > 0, c.learningRate.isFinite else {
            throw .invalidOption("learning rate must be positive, got \(c.learningRate)")
        }
        self.configuration = c
        for point in points {
            do { try trainingConfiguration(point).validate() } catch {
                throw .invalidOption("\(describe(point)): \(error)")
            }
        }
    }

    /// Depth by depth, then variant.
    public var points: [AttnResPoint] {
        configuration.depths.flatMap { layers in configuration.variants.map { AttnResPoint(layers: layers, variant: $0) } }
    }

    public func describe(_ point: AttnResPoint) -> String { "\(point.variant.rawValue) L=\(point.layers)" }

    /// The model's residual option: none, full, or blocks of 2·layers/`blocks` sub-layers.
    func residuals(_ point: AttnResPoint) -> AttentionResidualsDescription? {
        switch point.variant {
        case .baseline: nil
        case .full: .full
        case .block: .block(size: max(1, 2 * point.layers / configuration.blocks))
        }
    }

    /// The training run of one point: the shipped text in windows of `context` bytes, a pre-norm model of
    /// `layers` blocks (attention + MLP of 4·width, learned positions), AdamW with weight decay 0.01,
    /// warm-up + cosine, gradient norm clipped at 1.
    public func trainingConfiguration(_ point: AttnResPoint) throws -> TrainingConfiguration {
        let c = configuration
        if point.variant == .block, 2 * point.layers % c.blocks != 0 {
            throw ExperimentError.invalidOption("blocks \(c.blocks) must divide the \(2 * point.layers) sub-layers")
        }
        let task = TaskDescription.text(try TextTask(path: nil, context: c.context))
        var model = task.defaultModel(layers: point.layers, heads: c.heads, width: c.width, norm: .pre)
        model.attentionResiduals = residuals(point)
        return TrainingConfiguration(task: task, model: model, steps: c.steps, batchSize: c.batchSize,
                                     learningRate: c.learningRate, seed: UInt64(c.seed))
    }

    /// Validation points per run for the learning curves.
    static let curvePoints = 5

    public func measure(_ point: AttnResPoint, peakGFLOPS: Double?) throws -> AttnResValues {
        let training = try trainingConfiguration(point)
        let threads = configuration.settings.threads
        let initialProfile = try Trainer(training).depthProfile(threads: threads)
        let (result, trainer) = try Training.train(training, threads: threads, curvePoints: Self.curvePoints)
        return AttnResValues(validationLoss: result.validationLoss, validationAccuracy: result.validationMetric,
                             trainLoss: result.trainLoss, profile: trainer.depthProfile(threads: threads),
                             initialProfile: initialProfile, parameters: trainer.model.parameters.count,
                             stepsPerSecond: result.stepsPerSecond, seconds: result.seconds, curve: result.curve)
    }

    public func learningCurve(_ values: AttnResValues) -> [CurvePoint] { values.curve }

    public func analyse(_ results: [ExperimentResult<AttnResPoint, AttnResValues>]) -> ExperimentAnalysis {
        AttnResAnalysis(configuration: configuration, results: results).analysis()
    }
}
