import Foundation
import Kernels
import Mixers

/// Alman & Song's threshold made visible (arXiv 2302.13214; SCIENCE.md §3): Q, K, V with entries uniform in
/// [−B, B], d = ⌈log₂ n⌉, scale 1/d (theirs), so every score lies in [−B², B²]. The polynomial mixer takes
/// the degree the algorithm prescribes — the smallest g whose Chebyshev P has relative error ≤ ε = 1/(4n)
/// on [−B², B²], g = Θ(max(log(1/ε)/log(log(1/ε)/B²), B²)) — capped where r = C(d + g, g) would exceed the
/// feature budget. Its output is compared with exact softmax (flash, float32). Claims: max error ≤ 1/n at
/// every point whose prescribed degree fits the budget (below the threshold), ≥ 0.1 at B/√ln n ≥ 2 (above),
/// and the crossing of 0.1 sits at a B/√ln n that moves by less than 2× across n.
public struct BoundedEntriesExperiment: Experiment {
    public static let name = "bounded-entries"
    public static let title = "Bounded entries: the Alman–Song polynomial vs exact softmax"
    public static let warmsUpFirstPoint = false

    public let configuration: BoundedEntriesConfiguration

    /// Largest accepted n (the exact reference is n² per point).
    public static let largestLength = 1 << 16

    public init(configuration: BoundedEntriesConfiguration) throws(ExperimentError) {
        let c = configuration
        try OptionCheck.sizes(c.lengths, "lengths (n)")
        try OptionCheck.distinct(c.lengths, "lengths (n)")
        if let bad = c.lengths.first(where: { $0 < 2 || $0 > Self.largestLength }) {
            throw .invalidOption("lengths (n) must be in 2…\(Self.largestLength), got \(bad)")
        }
        guard !c.ratios.isEmpty else { throw .invalidOption("ratios (B/√ln n) needs at least one value") }
        try OptionCheck.distinct(c.ratios, "ratios (B/√ln n)")
        if let bad = c.ratios.first(where: { !($0 > 0 && $0 <= 16) }) {
            throw .invalidOption("ratios (B/√ln n) must be in (0, 16], got \(bad)")
        }
        let largest = c.ratios.max()!, longest = Double(c.lengths.max()!)
        guard largest * largest * Foundation.log(longest) <= 700 else {
            throw .invalidOption("ratios (B/√ln n) must keep B² = ratio²·ln n ≤ 700 (exp overflows float64 beyond), got \(largest) at n = \(Int(longest))")
        }
        guard (2...65_536).contains(c.maximumFeatures) else {
            throw .invalidOption("maximum features must be in 2…65536, got \(c.maximumFeatures)")
        }
        try c.settings.validate()
        self.configuration = c
    }

    /// n growing, then B/√ln n growing.
    public var points: [BoundedEntriesPoint] {
        configuration.lengths.flatMap { n in configuration.ratios.map { BoundedEntriesPoint(n: n, ratio: $0) } }
    }

    public func describe(_ point: BoundedEntriesPoint) -> String {
        "n=\(point.n) d=\(point.headDimension) B/√ln n=\(NumberText.short(point.ratio))"
    }

    /// The degree for a point: the smallest g ≤ 16 with Chebyshev relative error ≤ 1/(4n) on [−B², B²], or the
    /// largest g with C(d + g, g) ≤ the budget if that is smaller (then `capped`).
    public func degree(_ point: BoundedEntriesPoint) -> (degree: Int, capped: Bool) {
        let (d, radius) = (point.headDimension, point.bound * point.bound)
        let target = 1 / (4 * Double(point.n))
        let needed = (1...MixerDescription.largestDegree).first {
            ExpPolynomial(degree: $0, radius: radius).maximumRelativeError() <= target
        } ?? MixerDescription.largestDegree
        let affordable = MixerDescription.largestPolynomialDegree(headDimension: d, features: configuration.maximumFeatures)
        return (min(needed, affordable), affordable < needed)
    }

    /// One seeded draw of Q, K, V `[1, 1, n, d]` in [−B, B]; the polynomial and exact outputs each timed once.
    public func measure(_ point: BoundedEntriesPoint, peakGFLOPS: Double?) throws -> BoundedEntriesValues {
        let (d, bound) = (point.headDimension, Float(point.bound))
        let shape = [1, 1, point.n, d]
        let seed = configuration.seed &* 1_000_003 &+ UInt64(point.n) &* 1009 &+ UInt64((point.ratio * 1000).rounded())
        let (q, k, v) = (Tensor<Float>.uniform(shape, low: -bound, high: bound, seed: seed),
                         Tensor<Float>.uniform(shape, low: -bound, high: bound, seed: seed &+ 1),
                         Tensor<Float>.uniform(shape, low: -bound, high: bound, seed: seed &+ 2))
        let (g, capped) = degree(point)
        let scale = 1 / Float(d)
        let polynomial = try MixerDescription(kind: .polynomial, degree: g, bound: bound, scale: scale).makeMixer()
        let exact = try MixerDescription(kind: .exact, scale: scale).makeMixer()
        var (approximate, reference) = (q, q)
        let polynomialSeconds = try timed { approximate = try polynomial.forward(queries: q, keys: k, values: v).output }
        let exactSeconds = try timed { reference = try exact.forward(queries: q, keys: k, values: v).output }
        let pairs = zip(approximate.elements, reference.elements)
        let error = pairs.filter { $0.0.isFinite }.reduce(0.0) { max($0, Double(abs($1.0 - $1.1))) }
        return BoundedEntriesValues(
            degree: g, features: MixerDescription.polynomialFeatureCount(headDimension: d, degree: g), capped: capped,
            polynomialError: ExpPolynomial(degree: g, radius: point.bound * point.bound).maximumRelativeError(),
            maximumError: error, nonFiniteOutputs: approximate.elements.filter { !$0.isFinite }.count,
            polynomialSeconds: polynomialSeconds, exactSeconds: exactSeconds)
    }

    public func analyse(_ results: [ExperimentResult<BoundedEntriesPoint, BoundedEntriesValues>]) -> ExperimentAnalysis {
        BoundedEntriesAnalysis(configuration: configuration, results: results).analysis()
    }
}

/// Seconds of one call of `body`.
func timed(_ body: () throws -> Void) rethrows -> Double {
    let start = monotonicSeconds()
    try body()
    return monotonicSeconds() - start
}
