import Foundation
import Training

/// The sizes of the `attnres` experiment (SCIENCE.md §5): deep, narrow pre-norm character-level language
/// models on the shipped text with the standard residual stream and with full and block Attention Residuals.
public struct AttnResConfiguration: Codable, Sendable, Equatable {
    /// How a model's sub-layers are combined.
    public enum Variant: String, Codable, Sendable, CaseIterable {
        /// The pre-norm residual stream x + f(norm(x)).
        case baseline
        /// Full Attention Residuals: every earlier output is a source.
        case full
        /// Block Attention Residuals with `blocks` blocks.
        case block
    }

    /// Blocks per model (each an attention and an MLP sub-layer).
    public var depths: [Int]
    public var variants: [Variant]
    /// Block mode's number of blocks of sub-layers (the paper's ≈ 8); must divide 2·depth.
    public var blocks: Int
    public var width: Int
    public var heads: Int
    /// Bytes per training window.
    public var context: Int
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var seed: Int
    /// Only `threads` is used: the kernels' threads while training.
    public var settings: MeasurementSettings

    /// The default run, sized for ≤ 15 minutes on 2 cores with the release build: depths 16 and 32, width 32
    /// (2 heads of 16, MLP 128), context 32, baseline vs full vs block (8 blocks), 100 steps of batch 16 at a
    /// peak learning rate of 3e−3.
    public init(depths: [Int] = [16, 32], variants: [Variant] = Variant.allCases, blocks: Int = 8, width: Int = 32,
                heads: Int = 2, context: Int = 32, steps: Int = 100, batchSize: Int = 16, learningRate: Float = 3e-3,
                seed: Int = 0, settings: MeasurementSettings = MeasurementSettings()) {
        self.depths = depths
        self.variants = variants
        self.blocks = blocks
        self.width = width
        self.heads = heads
        self.context = context
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.settings = settings
    }
}

/// One trained model: `layers` blocks combined as `variant`.
public struct AttnResPoint: Codable, Sendable, Hashable {
    public var layers: Int
    public var variant: AttnResConfiguration.Variant
}

/// What one point measured.
public struct AttnResValues: Codable, Sendable, Equatable {
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var trainLoss: Double
    /// Per-sub-layer RMS, per-block gradient norms and α after training, on one batch of training windows.
    public var profile: DepthProfile
    /// The same at the initial weights.
    public var initialProfile: DepthProfile
    public var parameters: Int
    public var stepsPerSecond: Double
    public var seconds: Double
    public var curve: [CurvePoint]
}
