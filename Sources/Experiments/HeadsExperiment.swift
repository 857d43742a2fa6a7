import Foundation
import Training

/// How many heads D-retrieval needs (Yu et al., SCIENCE.md §6): trains their one-layer model (class
/// token, 8 dimensions per head, ReLU input MLP and GELU output MLP of 32, no positions, residual or
/// norm) on `y = Σ_{i≤D} max_t a_iᵀ x(t)` for every (h, T, seed) and stores the validation NMSE. Claims:
/// NMSE(h = D) ≤ NMSE(h = D − 1)/10 at every T, and NMSE falls with h. With `widths` set, the width
/// sweep instead (seed 004: one head with an embedding of width O(T) memorises the input, the MLPs
/// doing the approximation): h = 1, the head and embedding as wide as each width and both MLPs
/// `HeadsConfiguration.widthSweepHidden(width)` wide.
///
/// Default epochs: 100 (12 500 steps a point), the fewest tried that show the drop at every T: at
/// T = 32 h = 4 stayed at h = 3's NMSE (0.015 vs 0.019) after a 60-epoch cosine schedule and broke away
/// between epochs 50 and 60 of a 100-epoch one (NMSE 3.0e-4 at the end). Cost at 100 epochs: one thread
/// spent 101 CPU-seconds on the five T = 8 points, 102 on h = 3 and 4 at T = 16 and 132 / 150 on them at
/// T = 32, so the 15 points take ≈ 1 000 CPU-seconds; the whole default run took 12 min 50 s on 2
/// threads at load average 2–5 (release build).
/// The paper's values need longer training still (`--epochs`, `--lr`).
public struct HeadsExperiment: Experiment {
    public static let name = "heads"
    public static let title = "Heads needed for D-retrieval (Yu et al., Table 2)"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: HeadsConfiguration

    public init(configuration: HeadsConfiguration) throws(ExperimentError) {
        let c = configuration
        try OptionCheck.sizes(c.heads, "heads")
        try OptionCheck.distinct(c.heads, "heads")
        try OptionCheck.sizes(c.lengths, "lengths (T)")
        try OptionCheck.distinct(c.lengths, "lengths (T)")
        if let widths = c.widths {
            try OptionCheck.headDimensions(widths, "widths")
            try OptionCheck.distinct(widths, "widths")
        }
        try OptionCheck.size(c.epochs, "epochs")
        try OptionCheck.size(c.seeds, "seeds")
        try OptionCheck.size(c.targets, "targets (D)")
        try OptionCheck.size(c.trainSamples, "training samples")
        try OptionCheck.size(c.validationSamples, "validation samples")
        try OptionCheck.size(c.batchSize, "batch")
        guard c.learningRate > 0, c.learningRate.isFinite else {
            throw .invalidOption("learning rate must be positive, got \(c.learningRate)")
        }
        try c.settings.validate()
        self.configuration = c
    }

    /// Length by length, then heads (or widths) growing, then seeds.
    public var points: [HeadsPoint] {
        let c = configuration
        /// One point per swept size; length and seed are filled in below.
        let sizes: [HeadsPoint]
        if let widths = c.widths {
            sizes = widths.map { HeadsPoint(heads: 1, length: 0, headDimension: $0, mlpHidden: HeadsConfiguration.widthSweepHidden($0), seed: 0) }
        } else {
            sizes = c.heads.map { HeadsPoint(heads: $0, length: 0, headDimension: 8, seed: 0) }
        }
        return c.lengths.flatMap { length in
            sizes.flatMap { size in
                (0..<c.seeds).map { seed in
                    var point = size
                    point.length = length
                    point.seed = seed
                    return point
                }
            }
        }
    }

    public func describe(_ point: HeadsPoint) -> String {
        "h=\(point.heads) T=\(point.length) width=\(point.width) mlp=\(point.hidden) seed=\(point.seed)"
    }

    /// The training run of one point: `epochs` · ⌈samples / batch⌉ steps of AdamW (warm-up + cosine).
    public func trainingConfiguration(_ point: HeadsPoint) -> TrainingConfiguration {
        let c = configuration
        let task = DRetrievalTask(length: point.length, targets: c.targets, trainSamples: c.trainSamples,
                                  validationSamples: c.validationSamples)
        let stepsPerEpoch = (c.trainSamples + c.batchSize - 1) / c.batchSize
        return TrainingConfiguration(
            task: .dRetrieval(task),
            model: .dRetrieval(heads: point.heads, length: point.length, headDimension: point.headDimension, hidden: point.hidden),
            steps: c.epochs * stepsPerEpoch, batchSize: c.batchSize, learningRate: c.learningRate, seed: UInt64(point.seed))
    }

    /// Trains the point's model from scratch with the configured threads; `peakGFLOPS` is not used.
    public func measure(_ point: HeadsPoint, peakGFLOPS: Double?) throws -> HeadsValues {
        let training = trainingConfiguration(point)
        let (result, _) = try Training.train(training, threads: configuration.settings.threads,
                                             curvePoints: Self.curvePoints)
        let perEpoch = training.steps / configuration.epochs
        let epochLoss = stride(from: 0, to: result.lossCurve.count, by: perEpoch).map { start in
            let epoch = result.lossCurve[start..<min(start + perEpoch, result.lossCurve.count)]
            return epoch.reduce(0) { $0 + Double($1) } / Double(epoch.count)
        }
        return HeadsValues(nmse: result.validationMetric, trainLoss: result.trainLoss, epochLoss: epochLoss,
                           steps: result.steps, stepsPerSecond: result.stepsPerSecond, seconds: result.seconds,
                           curve: result.curve)
    }

    /// Validation points per training run for the learning curves (each one ≈ 2% of a default run's time).
    static let curvePoints = 10

    public func learningCurve(_ values: HeadsValues) -> [CurvePoint] { values.curve ?? [] }

    public func analyse(_ results: [ExperimentResult<HeadsPoint, HeadsValues>]) -> ExperimentAnalysis {
        HeadsAnalysis(configuration: configuration, results: results).analysis()
    }
}
