import Foundation
import Mixers

/// The inputs a fidelity point runs on.
public enum FidelityInput: String, Codable, Sendable, CaseIterable {
    /// Q, K, V with independent N(0, 1) entries. At D = 16 and s = 1/√D, E‖x̂‖² = 4 for x̂ = x·D^{−1/4}, so
    /// FAVOR+'s relative variance factor e^{‖x̂ + ŷ‖²} is ≈ e^8: Performer is pre-asymptotic for m ≤ 1024.
    case gaussian
    /// Q, K with independent N(0, 1/(2√D)) entries, V ~ N(0, 1): moderate norms, E‖x̂‖² = ½, so FAVOR+'s
    /// variance factor is ≈ e and its m^{−1/2} Monte-Carlo rate shows at m = 16…1024 (Performer's claim).
    case moderate
    /// Long-range retrieval: query i points at the one key N/2 positions away, which dominates its softmax
    /// (`FidelityInputs.retrieval`).
    case retrieval
}

/// The sizes and budgets of the `mixer-fidelity` sweep: every approximate mixer at every budget on both
/// inputs at every N, compared with exact softmax attention.
public struct MixerFidelityConfiguration: Codable, Sendable, Equatable {
    public var inputs: [FidelityInput]
    /// Sequence lengths N (each must be divisible by every landmark count).
    public var lengths: [Int]
    /// Mixers compared with exact (exact itself is always measured, as the time and error baseline).
    public var mixers: [MixerKind]
    public var heads: Int
    public var headDimension: Int
    /// Budgets: window widths w, Performer features m, Linformer's k, polynomial degrees g, Nyström landmarks.
    public var windows: [Int]
    public var performerFeatures: [Int]
    public var linformerFeatures: [Int]
    public var degrees: [Int]
    public var landmarks: [Int]
    /// Rows (evenly spaced) per head on which the Float64 reference is computed and errors are measured.
    public var referenceRows: Int
    public var seed: UInt64
    public var settings: MeasurementSettings

    /// Defaults: 216 points (3 inputs; the 144 of two inputs took ≈ 5 minutes on 2 cores with a release
    /// build): N = 512 … 4096, H = 2, D = 16, and budgets spanning 16× (Performer 64×, for its m^{-1/2} fit).
    public init(inputs: [FidelityInput] = FidelityInput.allCases, lengths: [Int] = [512, 1024, 2048, 4096],
                mixers: [MixerKind] = MixerFidelityConfiguration.defaultMixers, heads: Int = 2, headDimension: Int = 16,
                windows: [Int] = [16, 64, 256], performerFeatures: [Int] = [16, 64, 256, 1024],
                linformerFeatures: [Int] = [16, 64, 256], degrees: [Int] = [2, 4], landmarks: [Int] = [8, 32, 128],
                referenceRows: Int = 256, seed: UInt64 = 0,
                settings: MeasurementSettings = MeasurementSettings()) {
        self.inputs = inputs
        self.lengths = lengths
        self.mixers = mixers
        self.heads = heads
        self.headDimension = headDimension
        self.windows = windows
        self.performerFeatures = performerFeatures
        self.linformerFeatures = linformerFeatures
        self.degrees = degrees
        self.landmarks = landmarks
        self.referenceRows = referenceRows
        self.seed = seed
        self.settings = settings
    }

    /// The approximations of softmax attention. GLA and RetNet are left out: they are decayed recurrences,
    /// not approximations of softmax, so their distance to it measures nothing they promise.
    public static let defaultMixers: [MixerKind] = [.window, .linear, .based, .performer, .polynomial, .linformer, .nystrom]

    /// The budgets swept for `kind`; `[nil]` for mixers without one (exact, linear, Based).
    func budgets(_ kind: MixerKind) -> [Int?] {
        switch kind {
        case .window: windows
        case .performer: performerFeatures
        case .linformer: linformerFeatures
        case .polynomial: degrees
        case .nystrom: landmarks
        case .exact, .linear, .based, .gla, .retnet: [nil]
        }
    }
}

/// One fidelity measurement: `mixer` at `budget` (see `MixerFidelityConfiguration.budgets`) on `input` of
/// length `n`.
public struct FidelityPoint: Codable, Sendable, Hashable {
    public var input: FidelityInput
    public var mixer: MixerKind
    public var budget: Int?
    public var n: Int

    /// The mixer this point runs, with the sweep's seed; causal only for the causal-only kinds.
    func descriptor(seed: UInt64) -> MixerDescription {
        MixerDescription(
            kind: mixer, features: mixer == .performer || mixer == .linformer ? budget : nil,
            degree: mixer == .polynomial ? budget : nil, window: mixer == .window ? budget : nil,
            landmarks: mixer == .nystrom ? budget : nil, seed: seed, causal: !mixer.allowsNonCausal)
    }

    /// "performer m=256", "window w=64", "linear".
    var label: String {
        guard let budget else { return mixer.rawValue }
        let symbol = switch mixer {
        case .window: "w"
        case .performer: "m"
        case .linformer: "k"
        case .polynomial: "g"
        default: "landmarks"
        }
        return "\(mixer.rawValue) \(symbol)=\(budget)"
    }
}
