import Foundation

/// The usual values stored for one timed sweep point: the timing sample and, when the work's FLOP
/// count is known, the achieved rate and its fraction of the machine's measured peak.
public struct MeasurementValues: Codable, Sendable, Equatable {
    /// Every timed call, in seconds.
    public var seconds: [Double]
    public var median: Double
    public var minimum: Double
    public var coefficientOfVariation: Double
    public var isNoisy: Bool
    /// FLOPs of one call, if known.
    public var flops: Double?
    /// `flops / median / 1e9`.
    public var gflops: Double?
    /// The machine's measured peak GFLOP/s at the time of the run.
    public var peakGFLOPS: Double?
    /// `gflops / peakGFLOPS`.
    public var fractionOfPeak: Double?
    /// Further named numbers an experiment wants to keep (e.g. "maxError", "ratio").
    public var metrics: [String: Double]

    public init(_ sample: TimingSample, flops: Double? = nil, peakGFLOPS: Double? = nil, metrics: [String: Double] = [:]) {
        seconds = sample.seconds
        median = sample.median
        minimum = sample.minimum
        coefficientOfVariation = sample.coefficientOfVariation
        isNoisy = sample.isNoisy
        self.flops = flops
        let rate = flops.flatMap { sample.median > 0 ? $0 / sample.median / 1e9 : nil }
        gflops = rate
        self.peakGFLOPS = peakGFLOPS
        fractionOfPeak = rate.flatMap { rate in peakGFLOPS.flatMap { $0 > 0 ? rate / $0 : nil } }
        self.metrics = metrics
    }
}
