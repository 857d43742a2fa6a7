import Foundation

/// Student's t distribution: the distribution of a fitted coefficient divided by its standard error.
///
/// The quantile is exact in closed form for 1 and 2 degrees of freedom and for infinitely many (the
/// normal distribution); otherwise it inverts the CDF, written with the regularised incomplete beta
/// function, by bisection to about 1e-12. Cost: ~100 CDF evaluations of ~50 terms each, microseconds.
public enum StudentT {
    /// The value `t` with `P(T ≤ t) = probability` for `degreesOfFreedom` ν > 0 (may be `.infinity`).
    /// Example: `quantile(0.975, degreesOfFreedom: 10)` ≈ 2.228, the half-width factor of a 95% interval.
    public static func quantile(_ probability: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(probability > 0 && probability < 1, "probability must be in (0, 1)")
        precondition(nu > 0, "degrees of freedom must be positive")
        if probability < 0.5 { return -quantile(1 - probability, degreesOfFreedom: nu) }
        if probability == 0.5 { return 0 }
        if nu == .infinity { return normalQuantile(probability) }
        if nu == 1 { return tan(Double.pi * (probability - 0.5)) }
        if nu == 2 {
            let a = 4 * probability * (1 - probability)
            return 2 * (probability - 0.5) * (2 / a).squareRoot()
        }
        return invert({ cdf($0, degreesOfFreedom: nu) }, target: probability)
    }

    /// `P(T ≤ t)` for `degreesOfFreedom` ν > 0.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        if nu == .infinity { return 0.5 * erfc(-t / 2.0.squareRoot()) }
        let tail = 0.5 * regularizedIncompleteBeta(x: nu / (nu + t * t), a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// Standard normal quantile, by bisection on `erfc`.
    static func normalQuantile(_ probability: Double) -> Double {
        invert({ 0.5 * erfc(-$0 / 2.0.squareRoot()) }, target: probability)
    }

    /// Solves `increasing(t) = target` for t ≥ 0 when `target ≥ 0.5`, by bracketing then bisection.
    private static func invert(_ increasing: (Double) -> Double, target: Double) -> Double {
        var low = 0.0
        var high = 1.0
        while increasing(high) < target && high < 1e12 { low = high; high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if increasing(middle) < target { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(a, b), from the continued fraction (modified Lentz), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logPowers - logBeta
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...300 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return result
    }
}
