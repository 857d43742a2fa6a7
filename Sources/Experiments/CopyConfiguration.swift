import Foundation
import Training

/// The sizes of the `copy` sweep (Jelassi et al., SCIENCE.md §4): sequence accuracy per string length of
/// 2-layer models with each mixer, every mixer at the width whose parameter count matches the exact-attention
/// transformer of each reference width, at every learning rate.
public struct CopyConfiguration: Codable, Sendable, Equatable {
    public var mixers: [MixerChoice]
    /// Widths of the exact-attention transformer; every other mixer gets the width of equal parameter count.
    public var widths: [Int]
    public var heads: Int
    /// Training and validation strings have L uniform in minLength…maxLength letters.
    public var minLength: Int
    public var maxLength: Int
    /// Peaks of the warm-up + cosine schedule; a (mixer, width)'s accuracy is the best over them.
    public var learningRates: [Float]
    public var layers: Int
    public var steps: Int
    public var batchSize: Int
    public var trainSamples: Int
    public var validationSamples: Int
    public var seed: Int
    /// Only `threads` is used: the kernels' threads while training.
    public var settings: MeasurementSettings

    /// The default run, sized for ≤ 20 minutes on 2 cores under load with the release build (`CopyExperiment`,
    /// measured in the README): exact attention at width 32 needs ≈ 2000 steps of batch 32 at 3e-3 to copy
    /// strings of up to 16 letters (0.92 of them after 1500); ≈ 64 validation strings per length. The full grid (`fullWidths`, `fullMaxLength`) runs through the flags and `--shard`.
    public init(mixers: [MixerChoice] = CopyConfiguration.defaultMixers, widths: [Int] = [32], heads: Int = 4,
                minLength: Int = 1, maxLength: Int = 16, learningRates: [Float] = [3e-3, 1e-2], layers: Int = 2,
                steps: Int = 2000, batchSize: Int = 32, trainSamples: Int = 50_000, validationSamples: Int = 1024,
                seed: Int = 0, settings: MeasurementSettings = MeasurementSettings()) {
        self.mixers = mixers
        self.widths = widths
        self.heads = heads
        self.minLength = minLength
        self.maxLength = maxLength
        self.learningRates = learningRates
        self.layers = layers
        self.steps = steps
        self.batchSize = batchSize
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.seed = seed
        self.settings = settings
    }

    public static let defaultMixers: [MixerChoice] = [.exact, .mamba(stateSize: 16), .linear]
    /// The full grid: reference widths 32, 64, 128 and strings up to 32 letters.
    public static let fullWidths = [32, 64, 128]
    public static let fullMaxLength = 32
}

/// One trained model: `mixer` in both blocks at `width` (matched in parameters to the exact transformer of
/// `referenceWidth`), on copying strings of the configured lengths, at `learningRate`.
public struct CopyPoint: Codable, Sendable, Hashable {
    public var mixer: String
    public var referenceWidth: Int
    public var width: Int
    public var learningRate: Float
}

/// What one point measured.
public struct CopyValues: Codable, Sendable, Equatable {
    /// Fraction of validation strings copied without a wrong letter, all lengths together.
    public var accuracy: Double
    /// The same per string length L (counted targets per example), in increasing L.
    public var lengths: [TargetCountAccuracy]
    public var validationLoss: Double
    public var trainLoss: Double
    /// Recurrent-state bytes per sequence, all layers (`MixerChoice.stateBytes`; the KV cache for attention).
    public var stateBytes: Int
    public var parameters: Int
    public var steps: Int
    public var stepsPerSecond: Double
    public var seconds: Double
    public var curve: [CurvePoint]
}
