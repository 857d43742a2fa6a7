import Foundation

/// The sizes of the `bounded-entries` sweep (Alman & Song, SCIENCE.md §3).
public struct BoundedEntriesConfiguration: Codable, Sendable, Equatable {
    /// n: tokens; the head dimension is d = ⌈log₂ n⌉.
    public var lengths: [Int]
    /// B/√(ln n): the entry bound in units of the threshold scale.
    public var ratios: [Double]
    /// Cap on the polynomial's features r = C(d + g, g); the degree stops growing at the cap.
    public var maximumFeatures: Int
    /// Seed of Q, K, V.
    public var seed: UInt64
    /// Recorded with the sweep; the mixers run on the default threads and each point times one call.
    public var settings: MeasurementSettings

    /// Defaults: n = 256, 1024, 4096; B/√ln n = 0.25 … 4 in steps of ×√2; r ≤ 4096 features. The full grid
    /// (`--lengths 256,1024,4096,16384`) adds the largest n.
    public init(lengths: [Int] = [256, 1024, 4096], ratios: [Double] = BoundedEntriesConfiguration.defaultRatios,
                maximumFeatures: Int = 4096, seed: UInt64 = 1, settings: MeasurementSettings = MeasurementSettings()) {
        self.lengths = lengths
        self.ratios = ratios
        self.maximumFeatures = maximumFeatures
        self.seed = seed
        self.settings = settings
    }

    /// 0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83, 4.
    public static let defaultRatios = (-4...4).map { Foundation.pow(2, Double($0) / 2) }
}

/// One (n, B/√ln n) of the sweep.
public struct BoundedEntriesPoint: Codable, Sendable, Hashable {
    public var n: Int
    public var ratio: Double

    /// d = ⌈log₂ n⌉ (at least 1).
    public var headDimension: Int { max(1, Int((Foundation.log2(Double(n))).rounded(.up))) }
    /// B = ratio · √(ln n).
    public var bound: Double { ratio * Foundation.log(Double(n)).squareRoot() }
}

/// What one point gave: the polynomial the algorithm chose and its error against exact softmax.
public struct BoundedEntriesValues: Codable, Sendable, Equatable {
    /// g, and r = C(d + g, g) features.
    public var degree: Int
    public var features: Int
    /// Whether the feature cap stopped the degree below the one the target error needs.
    public var capped: Bool
    /// max |P/exp − 1| on the score interval [−B², B²] (Float64).
    public var polynomialError: Double
    /// max |polynomial output − exact output| over the n·d entries where the polynomial output is finite.
    public var maximumError: Double
    /// Polynomial outputs that overflowed to ±∞ or NaN (features beyond float32's range at large B).
    public var nonFiniteOutputs: Int
    public var polynomialSeconds: Double
    public var exactSeconds: Double

    /// The error the claims read: ∞ when any output is not finite, else `maximumError`.
    public var error: Double { nonFiniteOutputs > 0 ? .infinity : maximumError }
}
