import Foundation

/// Float64 references for the vector-math kernels, written in the plainest textbook form (scalar loops,
/// Foundation's `exp`/`erf`/`erfc`), for tests. Matrices are row-major `[rows · columns]` arrays.
/// Special rows (fully −inf, NaN, +inf) follow the same documented conventions as the fast kernels.
public enum VectorMathReference {
    /// Σ x in Float64, left to right (exact enough to judge Float32 sums of moderate length).
    public static func sum(_ x: [Float]) -> Double {
        x.reduce(0) { $0 + Double($1) }
    }

    /// Σ a[i]·b[i] in Float64.
    public static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Softmax of each row: e^(x − max) / Σ e^(x − max); all −inf rows → zeros, rows with NaN or +inf → NaN.
    public static func softmaxRows(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        var y = x
        for r in 0..<rows {
            let row = Array(x[r * columns..<(r + 1) * columns])
            let special = specialRowValue(row)
            if let special {
                for j in 0..<columns { y[r * columns + j] = special.isNaN ? .nan : 0 }
                continue
            }
            let m = row.max()!
            let total = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            for j in 0..<columns { y[r * columns + j] = Foundation.exp(row[j] - m) / total }
        }
        return y
    }

    /// log Σ e^x per row, as max + log Σ e^(x − max); all −inf rows → −inf, rows with NaN or +inf → NaN.
    public static func logSumExpRows(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        (0..<rows).map { r in
            let row = Array(x[r * columns..<(r + 1) * columns])
            if let special = specialRowValue(row) { return special }
            let m = row.max()!
            return m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        }
    }

    /// −inf for an empty or all −inf row, NaN for a row with NaN or +inf, nil for an ordinary row.
    static func specialRowValue(_ row: [Double]) -> Double? {
        if row.contains(where: { $0.isNaN || $0 == .infinity }) { return .nan }
        if row.allSatisfy({ $0 == -.infinity }) { return -.infinity }
        return nil
    }

    /// LayerNorm forward: y = γ·(x − μ)/√(σ² + ε) + β per row, with the saved μ and rstd = 1/√(σ² + ε).
    public static func layerNormForward(
        _ x: [Double], gamma: [Double], beta: [Double], epsilon: Double, rows: Int, columns: Int
    ) -> (y: [Double], mean: [Double], rstd: [Double]) {
        var y = x, means = [Double](), rstds = [Double]()
        for r in 0..<rows {
            let row = x[r * columns..<(r + 1) * columns]
            let mean = row.reduce(0, +) / Double(columns)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
            let rstd = 1 / (variance + epsilon).squareRoot()
            for j in 0..<columns { y[r * columns + j] = gamma[j] * (x[r * columns + j] - mean) * rstd + beta[j] }
            means.append(mean)
            rstds.append(rstd)
        }
        return (y, means, rstds)
    }

    /// LayerNorm backward: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ = Σ dy·x̂; dβ = Σ dy.
    public static func layerNormBackward(
        _ dy: [Double], x: [Double], gamma: [Double], epsilon: Double, rows: Int, columns: Int
    ) -> (dx: [Double], dgamma: [Double], dbeta: [Double]) {
        let (_, means, rstds) = layerNormForward(
            x, gamma: gamma, beta: [Double](repeating: 0, count: columns), epsilon: epsilon, rows: rows, columns: columns)
        var dx = x, dgamma = [Double](repeating: 0, count: columns), dbeta = dgamma
        for r in 0..<rows {
            let xhat = (0..<columns).map { (x[r * columns + $0] - means[r]) * rstds[r] }
            let g = (0..<columns).map { dy[r * columns + $0] * gamma[$0] }
            let meanG = g.reduce(0, +) / Double(columns)
            let meanGX = zip(g, xhat).reduce(0) { $0 + $1.0 * $1.1 } / Double(columns)
            for j in 0..<columns {
                dx[r * columns + j] = rstds[r] * (g[j] - meanG - xhat[j] * meanGX)
                dgamma[j] += dy[r * columns + j] * xhat[j]
                dbeta[j] += dy[r * columns + j]
            }
        }
        return (dx, dgamma, dbeta)
    }

    /// RMSNorm forward: y = γ·x/√(mean(x²) + ε) per row, with the saved rstd = 1/√(mean(x²) + ε).
    public static func rmsNormForward(
        _ x: [Double], gamma: [Double], epsilon: Double, rows: Int, columns: Int
    ) -> (y: [Double], rstd: [Double]) {
        var y = x, rstds = [Double]()
        for r in 0..<rows {
            let meanSquare = x[r * columns..<(r + 1) * columns].reduce(0) { $0 + $1 * $1 } / Double(columns)
            let rstd = 1 / (meanSquare + epsilon).squareRoot()
            for j in 0..<columns { y[r * columns + j] = gamma[j] * x[r * columns + j] * rstd }
            rstds.append(rstd)
        }
        return (y, rstds)
    }

    /// RMSNorm backward: dx = rstd·(g − x̂·mean(g·x̂)) with g = dy·γ, x̂ = x·rstd; dγ = Σ dy·x̂.
    public static func rmsNormBackward(
        _ dy: [Double], x: [Double], gamma: [Double], epsilon: Double, rows: Int, columns: Int
    ) -> (dx: [Double], dgamma: [Double]) {
        let rstds = rmsNormForward(x, gamma: gamma, epsilon: epsilon, rows: rows, columns: columns).rstd
        var dx = x, dgamma = [Double](repeating: 0, count: columns)
        for r in 0..<rows {
            let xhat = (0..<columns).map { x[r * columns + $0] * rstds[r] }
            let g = (0..<columns).map { dy[r * columns + $0] * gamma[$0] }
            let meanGX = zip(g, xhat).reduce(0) { $0 + $1.0 * $1.1 } / Double(columns)
            for j in 0..<columns {
                dx[r * columns + j] = rstds[r] * (g[j] - xhat[j] * meanGX)
                dgamma[j] += dy[r * columns + j] * xhat[j]
            }
        }
        return (dx, dgamma)
    }

    /// σ(x) = 1/(1 + e^−x).
    public static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    public static func geluTanh(_ x: Double) -> Double {
        0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }

    /// d/dx of `geluTanh`: ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
    public static func geluTanhDerivative(_ x: Double) -> Double {
        let k = (2 / Double.pi).squareRoot()
        let t = tanh(k * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    }

    /// Standard normal CDF Φ(x) = ½erfc(−x/√2).
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// GELU, exact form: x·Φ(x).
    public static func geluErf(_ x: Double) -> Double { x * normalCDF(x) }

    /// d/dx of `geluErf`: Φ(x) + x·e^(−x²/2)/√(2π).
    public static func geluErfDerivative(_ x: Double) -> Double {
        normalCDF(x) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    /// SiLU: x·σ(x).
    public static func silu(_ x: Double) -> Double { x * sigmoid(x) }

    /// d/dx of `silu`: σ(x)·(1 + x·(1 − σ(x))).
    public static func siluDerivative(_ x: Double) -> Double {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }
}
