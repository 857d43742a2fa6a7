import Foundation
import Mixers

/// The sizes of the `mixer-scaling` sweep.
public struct MixerScalingConfiguration: Codable, Sendable, Equatable {
    public var mixers: [MixerName]
    /// Sequence lengths N (each must be divisible by `landmarks`).
    public var lengths: [Int]
    public var heads: Int
    public var headDimension: Int
    /// Budgets, fixed in N (what keeps the mixers linear): window w, Performer m, Linformer k, polynomial
    /// degree g, Nyström landmarks.
    public var window: Int
    public var features: Int
    public var degree: Int
    public var landmarks: Int
    /// Also time the backward pass (given the forward's saved state).
    public var backward: Bool
    public var settings: MeasurementSettings

    /// Defaults: every mixer, N = 1024 … 16384, H = 2, D = 64 (Mamba: width m = H·D = 128), w = k = m = 256,
    /// g = 2, 64 landmarks; forward only. The 60 points take ≈ 5 minutes on 2 cores (release build).
    public init(mixers: [MixerName] = MixerName.allCases, lengths: [Int] = [1024, 2048, 4096, 8192, 16384],
                heads: Int = 2, headDimension: Int = 64, window: Int = 256, features: Int = 256, degree: Int = 2,
                landmarks: Int = 64, backward: Bool = false, settings: MeasurementSettings = MeasurementSettings()) {
        self.mixers = mixers
        self.lengths = lengths
        self.heads = heads
        self.headDimension = headDimension
        self.window = window
        self.features = features
        self.degree = degree
        self.landmarks = landmarks
        self.backward = backward
        self.settings = settings
    }

    /// The token mixer `kind` at this sweep's budgets.
    func descriptor(_ kind: MixerKind, causal: Bool) -> MixerDescription {
        MixerDescription(kind: kind, features: features, degree: degree, window: window, landmarks: landmarks,
                         causal: causal)
    }
}

/// One timing: `mixer` (causal or not) at length `n`.
public struct MixerScalingPoint: Codable, Sendable, Hashable {
    public var mixer: MixerName
    public var causal: Bool
    public var n: Int

    /// "exact causal", "linear".
    var label: String { mixer.rawValue + (causal && mixer == .exact ? " causal" : "") }
}
