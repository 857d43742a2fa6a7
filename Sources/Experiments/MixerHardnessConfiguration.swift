import Foundation
import Hardness
import Mixers

/// The sizes of the `mixer-hardness` sweep.
public struct MixerHardnessConfiguration: Codable, Sendable, Equatable {
    /// Problems whose constructions run without a self-mask (OV, 3-OV, LSD_t, the bichromatic ones; one-set
    /// Max-IP_t and MSD_t hide the diagonal, which only exact attention can).
    public var problems: [HardnessProblem]
    /// n: vectors per set; d = max(4, ⌈2·log₂ n⌉).
    public var setSizes: [Int]
    public var mixers: [MixerKind]
    /// Budgets tried for the mixers that have one (window w, Performer/Linformer features, Nyström landmarks,
    /// polynomial features C(D + g, g)); at each n the budgets below the token count N are used, and N
    /// (not for Nyström, cubic in its landmarks).
    public var budgets: [Int]
    /// Planted-yes and as many planted-no instances per (problem, n).
    public var instances: Int
    /// 3-OV's |C| (heads of its one layer).
    public var thirdSetSize: Int
    public var seed: UInt64
    /// Recorded with the sweep; the mixers run on the default threads and each instance is run once.
    public var settings: MeasurementSettings

    /// Defaults: OV, bichromatic Max-IP_t, LSD_t, 3-OV; n = 64 … 4096; every mixer; budgets 4, 16, 64, 256
    /// (and N); 4 + 4 instances; |C| = 2.
    public init(problems: [HardnessProblem] = [.ov, .bichromaticMaxIP, .lsd, .threeOV], setSizes: [Int] = [64, 128, 256, 512, 1024, 2048, 4096],
                mixers: [MixerKind] = MixerKind.allCases, budgets: [Int] = [4, 16, 64, 256], instances: Int = 4,
                thirdSetSize: Int = 2, seed: UInt64 = 1, settings: MeasurementSettings = MeasurementSettings()) {
        self.problems = problems
        self.setSizes = setSizes
        self.mixers = mixers
        self.budgets = budgets
        self.instances = instances
        self.thirdSetSize = thirdSetSize
        self.seed = seed
        self.settings = settings
    }
}

/// One (problem, n, mixer, budget); budget 0 for mixers without one.
public struct MixerHardnessPoint: Codable, Sendable, Hashable {
    public var problem: HardnessProblem
    public var n: Int
    public var mixer: MixerKind
    public var budget: Int
}

/// Answers of one point's instances.
public struct MixerHardnessValues: Codable, Sendable, Equatable {
    public var correct: Int
    public var instances: Int
    /// Mean seconds of one construction run (embedding, projections, the mixer call and its read-out).
    public var seconds: Double
    /// Mean seconds of the mixer calls alone in one run (the part whose growth in n the budget claim fits).
    /// Results stored before it was recorded read back with the whole run's time, an upper bound.
    public var mixerSeconds: Double

    public var accuracy: Double { Double(correct) / Double(max(instances, 1)) }

    public init(correct: Int, instances: Int, seconds: Double, mixerSeconds: Double) {
        (self.correct, self.instances, self.seconds, self.mixerSeconds) = (correct, instances, seconds, mixerSeconds)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        correct = try container.decode(Int.self, forKey: .correct)
        instances = try container.decode(Int.self, forKey: .instances)
        seconds = try container.decode(Double.self, forKey: .seconds)
        mixerSeconds = try container.decodeIfPresent(Double.self, forKey: .mixerSeconds) ?? seconds
    }
}

extension MixerKind {
    /// Whether the kind takes a budget (window, features, landmarks or polynomial features).
    var hasBudget: Bool { [.window, .performer, .linformer, .nystrom, .polynomial].contains(self) }
}
