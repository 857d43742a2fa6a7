import Foundation

/// Why a fit could not be made from the data given.
public enum FitError: Error, Equatable, CustomStringConvertible {
    case lengthMismatch(x: Int, y: Int)
    case tooFewPoints(Int)
    /// All x values are equal, so no slope is defined.
    case constantX
    case nonFinite
    /// A power law needs positive sizes and values (it fits their logarithms).
    case nonPositive
    /// A confidence level must lie strictly between 0 and 1.
    case invalidConfidenceLevel(Double)

    public var description: String {
        switch self {
        case .lengthMismatch(let x, let y): "fit needs as many y values as x values, got \(x) x and \(y) y"
        case .tooFewPoints(let n): "fit needs at least 3 points (2 fix the line, the rest estimate its uncertainty), got \(n)"
        case .constantX: "fit needs at least two distinct x values"
        case .nonFinite: "fit data contains NaN or infinity"
        case .nonPositive: "power-law fit needs positive sizes and values"
        case .invalidConfidenceLevel(let level): "confidence level must be between 0 and 1 (e.g. 0.95), got \(level)"
        }
    }
}

/// Ordinary least squares line `y ≈ intercept + slope·x` with the usual standard errors.
///
/// With n ≥ 3 points the residual variance is estimated with n − 2 degrees of freedom. O(n).
public struct LinearFit: Codable, Sendable, Equatable {
    public let slope: Double
    public let intercept: Double
    public let slopeStandardError: Double
    public let interceptStandardError: Double
    /// Fraction of the variance of y explained by the line (1 when y is constant and fitted exactly).
    public let rSquared: Double
    public let pointCount: Int

    /// n − 2.
    public var degreesOfFreedom: Int { pointCount - 2 }

    public init(x: [Double], y: [Double]) throws(FitError) {
        guard x.count == y.count else { throw .lengthMismatch(x: x.count, y: y.count) }
        guard x.count >= 3 else { throw .tooFewPoints(x.count) }
        guard (x + y).allSatisfy(\.isFinite) else { throw .nonFinite }
        let n = Double(x.count)
        let meanX = Statistics.mean(x)
        let meanY = Statistics.mean(y)
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for (xi, yi) in zip(x, y) {
            sxx += (xi - meanX) * (xi - meanX)
            sxy += (xi - meanX) * (yi - meanY)
            syy += (yi - meanY) * (yi - meanY)
        }
        guard sxx > 0 else { throw .constantX }
        slope = sxy / sxx
        intercept = meanY - slope * meanX
        var residualSquares = 0.0
        for (xi, yi) in zip(x, y) {
            let residual = yi - (intercept + slope * xi)
            residualSquares += residual * residual
        }
        rSquared = syy > 0 ? max(0, 1 - residualSquares / syy) : 1
        pointCount = x.count
        let residualVariance = residualSquares / (n - 2)
        slopeStandardError = (residualVariance / sxx).squareRoot()
        interceptStandardError = (residualVariance * (1 / n + meanX * meanX / sxx)).squareRoot()
    }

    /// Two-sided confidence interval for the slope at `level` (e.g. 0.95), from Student's t with n − 2
    /// degrees of freedom. `level` must lie in (0, 1).
    public func slopeInterval(level: Double = 0.95) -> ClosedRange<Double> {
        let t = StudentT.quantile(0.5 + level / 2, degreesOfFreedom: Double(degreesOfFreedom))
        return (slope - t * slopeStandardError)...(slope + t * slopeStandardError)
    }

    public func predict(_ x: Double) -> Double { intercept + slope * x }
}
