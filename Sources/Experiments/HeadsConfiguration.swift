import Foundation
import Training

/// The sizes of the `heads` sweep (Yu et al.'s Table 2, SCIENCE.md §6): D-retrieval with D targets,
/// trained from scratch at every (h, T, seed), or with `widths` set, the width sweep at h = 1 (seed 004:
/// one head with an embedding of width O(T) memorises the input and its MLPs do the approximation).
public struct HeadsConfiguration: Codable, Sendable, Equatable {
    /// h: attention heads (8 dimensions each) of the heads sweep.
    public var heads: [Int]
    /// T: input vectors per example.
    public var lengths: [Int]
    /// Passes over the training set per point.
    public var epochs: Int
    /// Seeds per (h, T): 0, 1, … (initialisation, data and order).
    public var seeds: Int
    /// When set, the width sweep instead: one head whose width (= head dimension = embedding width) takes
    /// these values, the input and output MLPs growing with it (`widthSweepHidden`).
    public var widths: [Int]?
    /// D, retrieval targets.
    public var targets: Int
    public var trainSamples: Int
    public var validationSamples: Int
    public var batchSize: Int
    /// Peak of the warm-up + cosine schedule (AdamW).
    public var learningRate: Float
    /// Only `threads` is used: the kernels' threads while training.
    public var settings: MeasurementSettings

    /// Defaults: h = 1…5, T = 8, 16, 32, one seed, D = 4, 8000/2000 examples, batch 64, lr 1e-3 and
    /// `defaultEpochs` epochs: the fewest that show the drop at h = D at every T; the 15 points take
    /// about 13 minutes on 2 cores.
    public init(heads: [Int] = Array(1...5), lengths: [Int] = [8, 16, 32], epochs: Int = HeadsConfiguration.defaultEpochs,
                seeds: Int = 1, widths: [Int]? = nil, targets: Int = 4, trainSamples: Int = 8000,
                validationSamples: Int = 2000, batchSize: Int = 64, learningRate: Float = 1e-3,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.heads = heads
        self.lengths = lengths
        self.epochs = epochs
        self.seeds = seeds
        self.widths = widths
        self.targets = targets
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.settings = settings
    }

    /// Epochs of the default run (125 steps each at 8000 examples, batch 64): at T = 32, h = 4 separates
    /// from h = 3 only after ≈ 50 epochs at a learning rate still near its peak, which a cosine schedule
    /// over 60 epochs no longer has; see `HeadsExperiment`.
    public static let defaultEpochs = 100

    /// Widths of `--width-sweep` by default: from 8 (one head of Yu et al.) past the longest T.
    public static let defaultWidths = [8, 16, 32, 64]

    /// Hidden width of the input and output MLPs at one width of the width sweep: Yu et al.'s 32, or the
    /// width itself once it is wider, so the MLPs that do the approximation grow with the embedding.
    public static func widthSweepHidden(_ width: Int) -> Int { max(yuHidden, width) }

    /// Hidden width of Yu et al.'s input and output MLPs (every point of the heads sweep).
    public static let yuHidden = 32
}

/// One trained model: `heads` heads of `headDimension` each (the model's width is their product) and
/// MLPs of `mlpHidden` on sequences of `length`, from `seed`.
public struct HeadsPoint: Codable, Sendable, Hashable {
    public var heads: Int
    public var length: Int
    public var headDimension: Int
    /// Hidden width of the input and output MLPs; nil: Yu et al.'s 32 (the heads sweep, and width-sweep
    /// points stored before the MLPs grew with the width).
    public var mlpHidden: Int?
    public var seed: Int

    /// The residual width, heads · head dimension.
    public var width: Int { heads * headDimension }

    /// The MLPs' hidden width the point trains with.
    public var hidden: Int { mlpHidden ?? HeadsConfiguration.yuHidden }
}

/// What training one point gave.
public struct HeadsValues: Codable, Sendable, Equatable {
    /// NMSE = MSE / Var(y) on the validation set.
    public var nmse: Double
    /// Mean training loss (MSE) over the last 100 steps.
    public var trainLoss: Double
    /// Mean training loss of each epoch, in order.
    public var epochLoss: [Double]
    public var steps: Int
    public var stepsPerSecond: Double
    /// Wall time of the run, validation included.
    public var seconds: Double
    /// Validation NMSE every few epochs (nil in points stored before curves were recorded).
    public var curve: [CurvePoint]?

    public init(nmse: Double, trainLoss: Double, epochLoss: [Double], steps: Int, stepsPerSecond: Double, seconds: Double,
                curve: [CurvePoint]? = nil) {
        self.curve = curve
        self.nmse = nmse
        self.trainLoss = trainLoss
        self.epochLoss = epochLoss
        self.steps = steps
        self.stepsPerSecond = stepsPerSecond
        self.seconds = seconds
    }
}
