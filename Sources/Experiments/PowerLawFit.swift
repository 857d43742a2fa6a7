import Foundation

/// A power law `value ≈ prefactor · size^exponent`, fitted by least squares of log(value) on log(size).
///
/// The exponent is the slope of the log–log line, so its interval is the slope's Student-t interval
/// with n − 2 degrees of freedom. Fitting logarithms weighs relative errors equally at every size,
/// which suits timings whose noise is roughly proportional to the time. O(n).
public struct PowerLawFit: Codable, Sendable, Equatable {
    public let exponent: Double
    public let prefactor: Double
    public let exponentStandardError: Double
    /// Confidence interval of the exponent at `confidenceLevel`.
    public let exponentInterval: ClosedRange<Double>
    public let confidenceLevel: Double
    /// R² of the log–log line.
    public let rSquared: Double
    public let pointCount: Int

    /// Fits `values[i] ≈ prefactor · sizes[i]^exponent`; needs ≥ 3 positive, finite pairs with at least
    /// two distinct sizes.
    public init(sizes: [Double], values: [Double], confidenceLevel: Double = 0.95) throws(FitError) {
        guard confidenceLevel > 0 && confidenceLevel < 1 else { throw .invalidConfidenceLevel(confidenceLevel) }
        guard sizes.count == values.count else { throw .lengthMismatch(x: sizes.count, y: values.count) }
        guard (sizes + values).allSatisfy({ $0 > 0 }) else { throw .nonPositive }
        let line = try LinearFit(x: sizes.map { log($0) }, y: values.map { log($0) })
        exponent = line.slope
        prefactor = exp(line.intercept)
        exponentStandardError = line.slopeStandardError
        exponentInterval = line.slopeInterval(level: confidenceLevel)
        self.confidenceLevel = confidenceLevel
        rSquared = line.rSquared
        pointCount = line.pointCount
    }

    /// `prefactor · size^exponent`.
    public func predict(_ size: Double) -> Double { prefactor * pow(size, exponent) }
}
