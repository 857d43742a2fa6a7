import Foundation
import Training

/// The sizes of the `recall` sweep (Zoology's Figure 2 scaled down, SCIENCE.md §4): MQAR accuracy of
/// 2-layer models with each mixer, at every (N, kv pairs), width and learning rate.
public struct RecallConfiguration: Codable, Sendable, Equatable {
    /// One MQAR shape: N tokens holding `pairs` key-value pairs and their queries, trained for `steps`
    /// optimizer steps (nil: the configuration's `steps`).
    public struct Shape: Codable, Sendable, Hashable {
        public var length: Int
        public var pairs: Int
        public var steps: Int?

        public init(length: Int, pairs: Int, steps: Int? = nil) {
            self.length = length
            self.pairs = pairs
            self.steps = steps
        }
    }

    public var mixers: [MixerChoice]
    public var shapes: [Shape]
    public var widths: [Int]
    /// Peaks of the warm-up + cosine schedule; a point's accuracy is the best over them.
    public var learningRates: [Float]
    public var vocabulary: Int
    public var layers: Int
    /// Optimizer steps of a shape without its own `steps`.
    public var steps: Int
    public var batchSize: Int
    public var trainSamples: Int
    public var validationSamples: Int
    public var seed: Int
    /// Only `threads` is used: the kernels' threads while training.
    public var settings: MeasurementSettings

    /// The default run, sized for ≤ 20 minutes on 2 cores with the release build (`RecallExperiment`):
    /// (N, kv) = (64, 4) for 400 steps and (128, 8) for 800 steps, width 32, exact vs linear, window:16, gla
    /// and mamba, learning rates 1e-3, 3e-3, 1e-2, vocabulary 64, batch 64 (SCIENCE.md §4's recipe: batch
    /// 64, warm-up + cosine, AdamW). Measured alone, exact attention reaches 0.995 after 400 steps at N = 64
    /// and 0.999 after 800 at N = 128 (0.693 after 600 at lr 3e-3). `steps` (600) is for shapes without
    /// their own. The grid (`fullShapes`, `fullWidths`, plus based) runs through the flags and `--shard`.
    public init(mixers: [MixerChoice] = RecallConfiguration.defaultMixers, shapes: [Shape] = RecallConfiguration.defaultShapes,
                widths: [Int] = [32], learningRates: [Float] = [1e-3, 3e-3, 1e-2], vocabulary: Int = 64, layers: Int = 2,
                steps: Int = 600, batchSize: Int = 64, trainSamples: Int = 20_000, validationSamples: Int = 256, seed: Int = 0,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.mixers = mixers
        self.shapes = shapes
        self.widths = widths
        self.learningRates = learningRates
        self.vocabulary = vocabulary
        self.layers = layers
        self.steps = steps
        self.batchSize = batchSize
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.seed = seed
        self.settings = settings
    }

    /// The optimizer steps of the shape (N, kv): its own, else `steps`.
    public func steps(length: Int, pairs: Int) -> Int {
        shapes.first { $0.length == length && $0.pairs == pairs }?.steps ?? steps
    }

    /// Based is left out of the default: its Taylor features grow as d², > 2 s a step at N = 64, width 32.
    public static let defaultMixers: [MixerChoice] = [.exact, .linear, .window(16), .gla, .mamba(stateSize: 16)]
    public static let defaultShapes = [Shape(length: 64, pairs: 4, steps: 400), Shape(length: 128, pairs: 8, steps: 800)]
    /// Zoology's grid, scaled down (the issue's): (64, 4), (128, 8), (256, 16) at widths 32, 64, 128.
    public static let fullShapes = [Shape(length: 64, pairs: 4), Shape(length: 128, pairs: 8), Shape(length: 256, pairs: 16)]
    public static let fullWidths = [32, 64, 128]
}

/// One trained model: `mixer` in both blocks, width `width` (one head as wide as the model, as in
/// Zoology's attention baseline), on MQAR of `length` tokens and `pairs` pairs, at `learningRate`.
public struct RecallPoint: Codable, Sendable, Hashable {
    public var mixer: String
    public var length: Int
    public var pairs: Int
    public var width: Int
    public var learningRate: Float
}

/// What one point measured.
public struct RecallValues: Codable, Sendable, Equatable {
    /// Fraction of query positions whose value token is predicted, on the validation set.
    public var accuracy: Double
    public var validationLoss: Double
    public var trainLoss: Double
    /// Recurrent-state bytes per sequence, all layers (`MixerChoice.stateBytes`).
    public var stateBytes: Int
    public var parameters: Int
    public var steps: Int
    public var stepsPerSecond: Double
    public var seconds: Double
    public var curve: [CurvePoint]
}
