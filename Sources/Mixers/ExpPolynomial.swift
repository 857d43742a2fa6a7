import Foundation

/// The polynomial P of the Alman–Song method (arXiv 2302.13214 §3): the degree-g Chebyshev interpolant of exp
/// on the score interval [−R, R], P(x) = Σ_{t ≤ g} c_t·x^t (Float64).
///
/// With entries of Q and K in [−B, B], head dimension D and scale s, every score s·q·k lies in
/// [−s·D·B², s·D·B²], so R = s·D·B² (R = B² at Alman–Song's s = 1/D). The interpolant at the g + 1
/// Chebyshev nodes cos(π(k + ½)/(g + 1)) has max |P − exp| ≤ 2·(R/2)^{g+1}/(g + 1)!·e^R on the interval,
/// so a relative error ≤ that · e^R against exp's smallest value e^{−R}. Coefficients can be negative (and
/// P can be ≤ 0 where the approximation is poor), unlike exp's Taylor polynomial.
///
/// **Stored normalised**, so that no radius overflows or underflows: `unitCoefficients` b_t are the
/// interpolant of exp(R·y) in y = x/R ∈ [−1, 1], divided by its largest |coefficient| e^`logScale`:
/// P(x) = e^logScale·Σ_t b_t·(x/R)^t = e^logScale·`normalized(x)`, max_t |b_t| = 1, whatever R (c_t itself
/// overflows Float32 from R ≈ 89 and Float64 from R ≈ 709, and e^{−R}-scaled ones underflow Float32 at large
/// R). Softmax-style normalisation divides by Σ_j P, so the factor e^logScale cancels.
/// Cost: O(g²) to build; R = 0 gives P = 1.
public struct ExpPolynomial: Sendable, Equatable {
    /// b_0 … b_g: P in powers of y = x/R over e^logScale, the largest |b_t| 1 (for R = 0: P = 1, b = [1, 0, …]).
    public let unitCoefficients: [Double]
    /// ln of the factor P = e^logScale·Σ_t b_t·(x/R)^t carries (0 when R = 0).
    public let logScale: Double
    /// The half-width R of the interval P approximates exp on.
    public let radius: Double

    public var degree: Int { unitCoefficients.count - 1 }

    /// c_0 … c_g of P(x) = Σ c_t·x^t: e^logScale·b_t/R^t (±inf beyond Float64's range; the signs are b_t's).
    public var coefficients: [Double] {
        guard radius > 0 else { return unitCoefficients }
        return unitCoefficients.enumerated().map { Foundation.exp(logScale - Double($0.offset) * Foundation.log(radius)) * $0.element }
    }

    public init(degree g: Int, radius: Double) {
        precondition(g >= 0 && radius >= 0 && radius.isFinite, "degree ≥ 0 and a finite radius ≥ 0")
        self.radius = radius
        guard radius > 0 else {
            unitCoefficients = [1] + [Double](repeating: 0, count: g)
            logScale = 0
            return
        }
        let nodes = g + 1
        let angles = (0..<nodes).map { Double.pi * (Double($0) + 0.5) / Double(nodes) }
        // exp(R·y) at the nodes over its largest value there (node 0's, y₀ = cos(π/(2g + 2))): one of them is 1.
        let top = radius * cos(angles[0])
        let values = angles.map { Foundation.exp(radius * cos($0) - top) }
        // Chebyshev coefficients a_j of exp(R·y − R·y₀) on y ∈ [−1, 1] (all ≤ 2 in magnitude).
        let chebyshev = (0...g).map { j in
            2 / Double(nodes) * zip(angles, values).reduce(0) { $0 + $1.1 * cos(Double(j) * $1.0) } * (j == 0 ? 0.5 : 1)
        }
        // Σ a_j T_j(y) in powers of y (T_{j+1} = 2y·T_j − T_{j−1}).
        var inY = [Double](repeating: 0, count: g + 1)
        var (previous, current) = ([1.0] + [Double](repeating: 0, count: g), [Double](repeating: 0, count: g + 1))
        if g >= 1 { current[1] = 1 }
        for j in 0...g {
            let polynomial = j == 0 ? previous : current
            for t in 0...g { inY[t] += chebyshev[j] * polynomial[t] }
            if j >= 1 && j < g {
                var next = [Double](repeating: 0, count: g + 1)
                for t in 0..<g { next[t + 1] = 2 * current[t] }
                for t in 0...g { next[t] -= previous[t] }
                (previous, current) = (current, next)
            }
        }
        let largest = inY.map(abs).max()!
        unitCoefficients = inY.map { $0 / largest }
        logScale = top + Foundation.log(largest)
    }

    /// P(x)·e^{−logScale} = Σ_t b_t·(x/R)^t by Horner's rule (finite for every finite x, R).
    public func normalized(_ x: Double) -> Double {
        let y = radius > 0 ? x / radius : 0
        return unitCoefficients.reversed().reduce(0) { $0 * y + $1 }
    }

    /// P(x) = e^logScale·`normalized(x)` (overflows to ±inf beyond Float64's range, from R ≈ 709).
    public func callAsFunction(_ x: Double) -> Double {
        Foundation.exp(logScale) * normalized(x)
    }

    /// max |P(x)/e^x − 1| over `samples` evenly spaced points of [−R, R] (both ends included), computed as
    /// normalized(x)/e^{x − logScale}, without forming P or e^x.
    public func maximumRelativeError(samples: Int = 2001) -> Double {
        guard radius > 0 else { return 0 }
        return (0..<samples).map { i in
            let x = radius * (2 * Double(i) / Double(samples - 1) - 1)
            return abs(normalized(x) / Foundation.exp(x - logScale) - 1)
        }.max() ?? 0
    }

    /// The score half-width s·D·B² for entries bounded by B.
    public static func radius(bound: Double, scale: Double, headDimension d: Int) -> Double {
        scale * Double(d) * bound * bound
    }

    /// The scale the features use, s/R, so that the monomials see y = s·q·k/R (s itself when R = 0, where only
    /// the constant term is non-zero).
    func unitScale(_ scale: Float) -> Float {
        radius > 0 ? Float(Double(scale) / radius) : scale
    }
}
