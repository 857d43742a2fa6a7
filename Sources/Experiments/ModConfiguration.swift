import Foundation
import Training

/// The sizes of the `mod` experiment (Mixture-of-Depths, SCIENCE.md §5): the trained models on the shipped
/// text and on MQAR, the forward-time model, and the lengths of the routed-attention timing.
public struct ModConfiguration: Codable, Sendable, Equatable {
    /// Fraction C of tokens a routed block processes.
    public var capacity: Double
    /// Every `every`-th block is routed.
    public var every: Int
    /// "text" and/or "mqar".
    public var tasks: [String]
    public var layers: Int
    public var width: Int
    public var heads: Int
    /// Context of the character-level language model.
    public var textContext: Int
    public var mqarLength: Int
    public var mqarPairs: Int
    public var mqarVocabulary: Int
    /// Steps of the routed models; the baseline gets the steps of equal total training FLOPs.
    public var routedSteps: Int
    public var batchSize: Int
    public var learningRate: Float
    public var trainSamples: Int
    public var validationSamples: Int
    /// The forward-time comparison: N, blocks and width (heads of 64 dimensions) of one sequence.
    public var timingLength: Int
    public var timingLayers: Int
    public var timingWidth: Int
    /// Sequence lengths N whose routed-block attention (k = ceil(C·N) tokens, causal) is timed.
    public var attentionLengths: [Int]
    public var seed: Int
    /// The timing policy of the forward and attention points and the threads of training and attention.
    public var settings: MeasurementSettings

    /// The default run: 4 blocks of width 64 (4 heads, MLP 256), blocks 1 and 3 routed at 12.5%; text
    /// context 64 and MQAR N = 64 with 4 pairs; 400 routed steps of batch 16 at 3e-3 (the baseline fewer);
    /// forward time at N = 2048, 8 blocks of width 128; routed attention at N = 1024…8192. Sized for ≤ 15
    /// minutes on 2 cores in the release build (measured in the README).
    public init(capacity: Double = 0.125, every: Int = 2, tasks: [String] = ["text", "mqar"], layers: Int = 4, width: Int = 64,
                heads: Int = 4, textContext: Int = 64, mqarLength: Int = 64, mqarPairs: Int = 4, mqarVocabulary: Int = 64,
                routedSteps: Int = 400, batchSize: Int = 16, learningRate: Float = 3e-3, trainSamples: Int = 20_000,
                validationSamples: Int = 256, timingLength: Int = 2048, timingLayers: Int = 8, timingWidth: Int = 128,
                attentionLengths: [Int] = [1024, 2048, 4096, 8192], seed: Int = 0,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.capacity = capacity
        self.every = every
        self.tasks = tasks
        self.layers = layers
        self.width = width
        self.heads = heads
        self.textContext = textContext
        self.mqarLength = mqarLength
        self.mqarPairs = mqarPairs
        self.mqarVocabulary = mqarVocabulary
        self.routedSteps = routedSteps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.timingLength = timingLength
        self.timingLayers = timingLayers
        self.timingWidth = timingWidth
        self.attentionLengths = attentionLengths
        self.seed = seed
        self.settings = settings
    }

    public static let taskNames = ["text", "mqar"]
    /// Dimensions per head of the timing model and the attention timing.
    static let timingHeadDimension = 64
}

/// What a point measures.
public enum ModPointKind: String, Codable, Sendable, Hashable {
    /// Train one model and evaluate it.
    case train
    /// Time one forward pass of the timing model.
    case forward
    /// Time the causal attention of a routed block over its k tokens.
    case attention
}

/// A model variant: the standard stack, learned (top-k) routing, or random routing at the same capacity.
public enum ModVariant: String, Codable, Sendable, Hashable, CaseIterable {
    case baseline
    case learned
    case random
}

/// One point: a trained (task, variant), a timed forward pass of a variant, or a timed routed attention at N.
public struct ModPoint: Codable, Sendable, Hashable {
    public var kind: ModPointKind
    public var task: String?
    public var variant: ModVariant?
    /// N, the tokens of a sequence.
    public var length: Int
}

/// What one point measured; the fields that do not apply to its kind are nil.
public struct ModValues: Codable, Sendable, Equatable {
    /// Matrix-product FLOPs of one example's forward pass (`ModelDescription.forwardFLOPs`).
    public var forwardFLOPs: Int
    public var steps: Int?
    /// 3 × forward FLOPs × batch × steps.
    public var trainingFLOPs: Double?
    public var validationLoss: Double?
    public var validationMetric: Double?
    public var trainLoss: Double?
    /// Validation loss with the routed blocks picking tokens by the predictor (learned routing only).
    public var causalValidationLoss: Double?
    /// Mean over routed blocks of the predictor's agreement with top-k on the last validation batch.
    public var predictorAccuracy: Double?
    /// Training seconds, or the median seconds of the timed call.
    public var seconds: Double
    public var curve: [CurvePoint]
}
