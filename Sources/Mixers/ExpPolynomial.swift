import Foundation

/// The polynomial P of the Alman–Song method (arXiv 2302.13214 §3): the degree-g Chebyshev interpolant of exp
/// on the score interval [−R, R], written with monomial coefficients, P(x) = Σ_{t ≤ g} c_t·x^t (Float64).
///
/// With entries of Q and K in [−B, B], head dimension D and scale s, every score s·q·k lies in
/// [−s·D·B², s·D·B²], so R = s·D·B² (R = B² at Alman–Song's s = 1/D). The interpolant at the g + 1
/// Chebyshev nodes cos(π(k + ½)/(g + 1)) has max |P − exp| ≤ 2·(R/2)^{g+1}/(g + 1)!·e^R on the interval,
/// so a relative error ≤ that · e^R against exp's smallest value e^{−R}. Coefficients can be negative (and
/// P can be ≤ 0 where the approximation is poor), unlike exp's Taylor polynomial.
/// Cost: O(g²) to build; R = 0 gives P = 1.
public struct ExpPolynomial: Sendable, Equatable {
    /// c_0 … c_g.
    public let coefficients: [Double]
    /// The half-width R of the interval P approximates exp on.
    public let radius: Double

    public var degree: Int { coefficients.count - 1 }

    public init(degree g: Int, radius: Double) {
        precondition(g >= 0 && radius >= 0 && radius.isFinite, "degree ≥ 0 and a finite radius ≥ 0")
        self.radius = radius
        guard radius > 0 else {
            coefficients = [1] + [Double](repeating: 0, count: g)
            return
        }
        let nodes = g + 1
        let angles = (0..<nodes).map { Double.pi * (Double($0) + 0.5) / Double(nodes) }
        let values = angles.map { Foundation.exp(radius * cos($0)) }
        // Chebyshev coefficients a_j of exp(R·y) on y ∈ [−1, 1].
        let chebyshev = (0...g).map { j in
            2 / Double(nodes) * zip(angles, values).reduce(0) { $0 + $1.1 * cos(Double(j) * $1.0) } * (j == 0 ? 0.5 : 1)
        }
        // Σ a_j T_j(y) in powers of y (T_{j+1} = 2y·T_j − T_{j−1}), then y = x/R.
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
        coefficients = inY.enumerated().map { $0.element / Foundation.pow(radius, Double($0.offset)) }
    }

    /// P(x) by Horner's rule.
    public func callAsFunction(_ x: Double) -> Double {
        coefficients.reversed().reduce(0) { $0 * x + $1 }
    }

    /// max |P(x)/e^x − 1| over `samples` evenly spaced points of [−R, R] (both ends included).
    public func maximumRelativeError(samples: Int = 2001) -> Double {
        guard radius > 0 else { return 0 }
        return (0..<samples).map { i in
            let x = radius * (2 * Double(i) / Double(samples - 1) - 1)
            return abs(self(x) / Foundation.exp(x) - 1)
        }.max() ?? 0
    }

    /// The score half-width s·D·B² for entries bounded by B.
    public static func radius(bound: Double, scale: Double, headDimension d: Int) -> Double {
        scale * Double(d) * bound * bound
    }
}
