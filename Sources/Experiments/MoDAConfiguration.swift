import Foundation
import Training

/// The sizes of the `moda` sweep (MoDA's Table 6, scaled down; SCIENCE.md §5): character-level language
/// models on the shipped text, deep and narrow, with and without depth keys, under pre- and post-norm.
public struct MoDAConfiguration: Codable, Sendable, Equatable {
    public var layers: [Int]
    public var norms: [NormPlacement]
    public var variants: [MoDAVariant]
    public var width: Int
    public var heads: Int
    /// Context N in bytes.
    public var context: Int
    public var steps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var seed: Int
    /// Only `threads` is used: the kernels' threads while training.
    public var settings: MeasurementSettings

    /// The default run, sized for ≤ 15 minutes on 2 cores with the release build (`MoDAExperiment`):
    /// 24 layers, width 32, 2 heads, context 32, pre and post norm × {baseline, depth keys, depth keys + FFN
    /// K/V} = 6 runs of 100 steps of batch 16 at learning rate 3e-3. `fullLayers` adds the 48-layer models.
    public init(layers: [Int] = [24], norms: [NormPlacement] = [.pre, .post], variants: [MoDAVariant] = MoDAVariant.allCases,
                width: Int = 32, heads: Int = 2, context: Int = 32, steps: Int = 100, batchSize: Int = 16,
                learningRate: Float = 3e-3, seed: Int = 0, settings: MeasurementSettings = MeasurementSettings()) {
        self.layers = layers
        self.norms = norms
        self.variants = variants
        self.width = width
        self.heads = heads
        self.context = context
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.settings = settings
    }

    /// The depths: 24 and 48 layers.
    public static let fullLayers = [24, 48]
}

/// Which depth keys a model has.
public enum MoDAVariant: String, Codable, Sendable, CaseIterable {
    /// The standard model.
    case baseline
    /// Each attention layer also attends to the K/V of the earlier attention layers at its token.
    case depthKeys = "depth-keys"
    /// As `depthKeys`, and each MLP adds a slot from a K/V projection of its input (the paper's model).
    case depthKeysFeedForward = "depth-keys+ffn"

    /// The model option of the variant.
    var depthAttention: DepthAttentionDescription? {
        switch self {
        case .baseline: return nil
        case .depthKeys: return DepthAttentionDescription(feedForwardSlots: false)
        case .depthKeysFeedForward: return DepthAttentionDescription(feedForwardSlots: true)
        }
    }
}

/// One trained model.
public struct MoDAPoint: Codable, Sendable, Hashable {
    public var layers: Int
    public var norm: NormPlacement
    public var variant: MoDAVariant
}

/// What one point measured.
public struct MoDAValues: Codable, Sendable, Equatable {
    public var validationLoss: Double
    public var trainLoss: Double
    /// Per attention layer, the mean softmax probability on depth slots over a validation batch after
    /// training (empty for the baseline).
    public var depthMass: [Double]
    public var parameters: Int
    public var steps: Int
    public var stepsPerSecond: Double
    public var seconds: Double
    public var curve: [CurvePoint]

    /// The mean of `depthMass` over the layers that have slots (all but the first); nil without any.
    var meanDepthMass: Double? {
        depthMass.count > 1 ? depthMass.dropFirst().reduce(0, +) / Double(depthMass.count - 1) : nil
    }
}
