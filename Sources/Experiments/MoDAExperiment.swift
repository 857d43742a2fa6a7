import Foundation
import Training

/// Mixture-of-Depths Attention in deep narrow models (Zhu et al.; SCIENCE.md §5, their Table 6 scaled
/// down): trains character-level language models on the shipped text at each depth, norm placement (pre,
/// post) and depth-key variant (none, attention K/V, attention + MLP K/V), and stores the validation loss
/// and, per layer, the share of attention probability on depth slots. Claims: depth keys lower the loss
/// under each norm placement, and more under post-norm than pre-norm (the paper: 3.4062 → 3.3484 post,
/// 3.3800 → 3.3656 pre, 48 layers).
///
/// Default: 24 layers, 6 runs of 100 steps (`MoDAConfiguration`), sized for ≤ 15 minutes on 2 cores with
/// the release build (measured in the README); 48 layers through `--full` or `--layers`, with `--shard`.
public struct MoDAExperiment: Experiment {
    public static let name = "moda"
    public static let title = "Mixture-of-Depths Attention: depth keys in deep narrow models, pre- vs post-norm"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: MoDAConfiguration

    public init(configuration: MoDAConfiguration) throws(ExperimentError) {
        let c = configuration
        try OptionCheck.sizes(c.layers, "layers")
        try OptionCheck.distinct(c.layers, "layers")
        guard !c.norms.isEmpty, !c.variants.isEmpty else { throw .invalidOption("norms and variants must not be empty") }
        try OptionCheck.distinct(c.norms, "norms")
        try OptionCheck.distinct(c.variants, "variants")
        guard c.learningRate > 0, c.learningRate.isFinite else {
            throw .invalidOption("learning rate must be positive, got \(c.learningRate)")
        }
        for (value, name) in [(c.width, "width"), (c.heads, "heads"), (c.context, "context"), (c.steps, "steps"),
                              (c.batchSize, "batch")] {
            try OptionCheck.size(value, name)
        }
        self.configuration = c
        for point in points {
            do { try trainingConfiguration(point).validate() } catch {
                throw .invalidOption("\(describe(point)): \(error)")
            }
        }
    }

    /// Depth by depth, then norm and variant.
    public var points: [MoDAPoint] {
        let c = configuration
        return c.layers.flatMap { layers in
            c.norms.flatMap { norm in c.variants.map { MoDAPoint(layers: layers, norm: norm, variant: $0) } }
        }
    }

    public func describe(_ point: MoDAPoint) -> String { "L=\(point.layers) \(point.norm.rawValue)-norm \(point.variant.rawValue)" }

    /// The training run of one point: the text task at the configured context, a causal model of the
    /// point's depth and norm (MLP hidden 4·width, learned positions), AdamW with weight decay 0.01.
    /// Throws when the shipped text is too short for the context.
    public func trainingConfiguration(_ point: MoDAPoint) throws -> TrainingConfiguration {
        let c = configuration
        let task = TaskDescription.text(try TextTask(path: nil, context: c.context))
        var model = task.defaultModel(layers: point.layers, heads: c.heads, width: c.width, norm: point.norm)
        model.depthAttention = point.variant.depthAttention
        return TrainingConfiguration(task: task, model: model, steps: c.steps, batchSize: c.batchSize,
                                     learningRate: c.learningRate, weightDecay: 0.01, seed: UInt64(c.seed))
    }

    /// Validation points per run for the learning curves.
    static let curvePoints = 6

    public func measure(_ point: MoDAPoint, peakGFLOPS: Double?) throws -> MoDAValues {
        let threads = configuration.settings.threads
        let (result, trainer) = try Training.train(try trainingConfiguration(point), threads: threads, curvePoints: Self.curvePoints)
        return MoDAValues(validationLoss: result.validationLoss, trainLoss: result.trainLoss,
                          depthMass: trainer.depthAttentionMass(threads: threads) ?? [],
                          parameters: trainer.model.parameters.count, steps: result.steps,
                          stepsPerSecond: result.stepsPerSecond, seconds: result.seconds, curve: result.curve)
    }

    public func learningCurve(_ values: MoDAValues) -> [CurvePoint] { values.curve }

    public func analyse(_ results: [ExperimentResult<MoDAPoint, MoDAValues>]) -> ExperimentAnalysis {
        MoDAAnalysis(configuration: configuration, results: results).analysis()
    }
}
