import Kernels
import Testing

@Suite("LayerNorm and RMSNorm")
struct VectorMathNormTests {
    static let rows = 3
    static let epsilon: Float = 1e-5

    struct Inputs {
        let x: [Float], gamma: [Float], beta: [Float], dy: [Float]
        init(columns: Int, seed: UInt64) {
            // An offset mean and a non-unit scale make the centring and the variance matter.
            x = VectorMathTestSupport.normals(VectorMathNormTests.rows * columns, scale: 3, seed: seed).map { $0 + 2 }
            gamma = VectorMathTestSupport.normals(columns, seed: seed + 1).map { $0 + 1 }
            beta = VectorMathTestSupport.normals(columns, seed: seed + 2)
            dy = VectorMathTestSupport.normals(VectorMathNormTests.rows * columns, seed: seed + 3)
        }
    }

    /// ∂(Σ dy·f(x))/∂v[i] by central differences of a Float64 forward `f` (step 1e-5, error ~1e-10).
    static func numericGradient(_ v: [Double], dy: [Double], _ forward: ([Double]) -> [Double]) -> [Double] {
        (0..<v.count).map { i in
            var plus = v, minus = v
            plus[i] += 1e-5
            minus[i] -= 1e-5
            let difference = zip(forward(plus), forward(minus)).map { $0 - $1 }
            return zip(difference, dy).reduce(0) { $0 + $1.0 * $1.1 } / 2e-5
        }
    }

    /// Expects |a − b| ≤ tolerance·max(max|b|, 0.1) elementwise (errors scale with the largest value).
    static func expectClose(_ a: [Float], _ b: [Double], tolerance: Double) {
        let scale = b.map(abs).max() ?? 0
        for (value, expected) in zip(a, b) { #expect(abs(Double(value) - expected) <= tolerance * max(scale, 0.1)) }
    }

    @Test("LayerNorm forward and backward match Float64 and finite differences", arguments: [1, 3, 17, 33, 100])
    func layerNorm(columns: Int) {
        let rows = Self.rows
        let input = Inputs(columns: columns, seed: UInt64(columns))
        var y = [Float](repeating: 0, count: rows * columns), mean = [Float](repeating: 0, count: rows)
        var rstd = mean
        layerNormForward(input.x, gamma: input.gamma, beta: input.beta, epsilon: Self.epsilon, rows: rows, columns: columns,
                         output: &y, mean: &mean, rstd: &rstd)
        let x = input.x.map(Double.init), gamma = input.gamma.map(Double.init), beta = input.beta.map(Double.init)
        let dy = input.dy.map(Double.init), eps = Double(Self.epsilon)
        let reference = VectorMathReference.layerNormForward(x, gamma: gamma, beta: beta, epsilon: eps, rows: rows, columns: columns)
        Self.expectClose(y, reference.y, tolerance: 1e-6)
        Self.expectClose(mean, reference.mean, tolerance: 1e-6)
        Self.expectClose(rstd, reference.rstd, tolerance: 1e-6)

        var dx = [Float](repeating: 0, count: rows * columns), dgamma = [Float](repeating: 0, count: columns)
        var dbeta = dgamma
        layerNormBackward(input.dy, x: input.x, gamma: input.gamma, mean: mean, rstd: rstd, rows: rows, columns: columns,
                          dx: &dx, dgamma: &dgamma, dbeta: &dbeta)
        let backward = VectorMathReference.layerNormBackward(dy, x: x, gamma: gamma, epsilon: eps, rows: rows, columns: columns)
        Self.expectClose(dx, backward.dx, tolerance: 1e-5)
        Self.expectClose(dgamma, backward.dgamma, tolerance: 1e-5)
        Self.expectClose(dbeta, backward.dbeta, tolerance: 1e-6)

        let forward = { (x: [Double], gamma: [Double], beta: [Double]) in
            VectorMathReference.layerNormForward(x, gamma: gamma, beta: beta, epsilon: eps, rows: rows, columns: columns).y
        }
        Self.expectClose(dx, Self.numericGradient(x, dy: dy) { forward($0, gamma, beta) }, tolerance: 1e-4)
        Self.expectClose(dgamma, Self.numericGradient(gamma, dy: dy) { forward(x, $0, beta) }, tolerance: 1e-4)
        Self.expectClose(dbeta, Self.numericGradient(beta, dy: dy) { forward(x, gamma, $0) }, tolerance: 1e-4)
    }

    @Test("RMSNorm forward and backward match Float64 and finite differences", arguments: [1, 3, 17, 33, 100])
    func rmsNorm(columns: Int) {
        let rows = Self.rows
        let input = Inputs(columns: columns, seed: UInt64(100 + columns))
        var y = [Float](repeating: 0, count: rows * columns), rstd = [Float](repeating: 0, count: rows)
        rmsNormForward(input.x, gamma: input.gamma, epsilon: Self.epsilon, rows: rows, columns: columns, output: &y, rstd: &rstd)
        let x = input.x.map(Double.init), gamma = input.gamma.map(Double.init)
        let dy = input.dy.map(Double.init), eps = Double(Self.epsilon)
        let reference = VectorMathReference.rmsNormForward(x, gamma: gamma, epsilon: eps, rows: rows, columns: columns)
        Self.expectClose(y, reference.y, tolerance: 1e-6)
        Self.expectClose(rstd, reference.rstd, tolerance: 1e-6)

        var dx = [Float](repeating: 0, count: rows * columns), dgamma = [Float](repeating: 0, count: columns)
        rmsNormBackward(input.dy, x: input.x, gamma: input.gamma, rstd: rstd, rows: rows, columns: columns, dx: &dx, dgamma: &dgamma)
        let backward = VectorMathReference.rmsNormBackward(dy, x: x, gamma: gamma, epsilon: eps, rows: rows, columns: columns)
        Self.expectClose(dx, backward.dx, tolerance: 1e-5)
        Self.expectClose(dgamma, backward.dgamma, tolerance: 1e-5)

        let forward = { (x: [Double], gamma: [Double]) in
            VectorMathReference.rmsNormForward(x, gamma: gamma, epsilon: eps, rows: rows, columns: columns).y
        }
        Self.expectClose(dx, Self.numericGradient(x, dy: dy) { forward($0, gamma) }, tolerance: 1e-4)
        Self.expectClose(dgamma, Self.numericGradient(gamma, dy: dy) { forward(x, $0) }, tolerance: 1e-4)
    }

    @Test("parameter gradients accumulate into the caller's buffers and dx may overwrite dy")
    func accumulationAndAliasing() {
        let columns = 9, rows = Self.rows
        let input = Inputs(columns: columns, seed: 5)
        var y = [Float](repeating: 0, count: rows * columns), mean = [Float](repeating: 0, count: rows), rstd = mean
        layerNormForward(input.x, gamma: input.gamma, beta: input.beta, epsilon: Self.epsilon, rows: rows, columns: columns,
                         output: &y, mean: &mean, rstd: &rstd)
        var fresh = (dx: [Float](repeating: 0, count: rows * columns), dgamma: [Float](repeating: 0, count: columns),
                     dbeta: [Float](repeating: 0, count: columns))
        layerNormBackward(input.dy, x: input.x, gamma: input.gamma, mean: mean, rstd: rstd, rows: rows, columns: columns,
                          dx: &fresh.dx, dgamma: &fresh.dgamma, dbeta: &fresh.dbeta)
        var inPlace = input.dy
        var dgamma = [Float](repeating: 1, count: columns), dbeta = [Float](repeating: 1, count: columns)
        inPlace.withUnsafeMutableBufferPointer { d in
            layerNormBackward(d.baseAddress!, x: input.x, gamma: input.gamma, mean: mean, rstd: rstd, rows: rows,
                              columns: columns, dx: d.baseAddress!, dgamma: &dgamma, dbeta: &dbeta)
        }
        #expect(inPlace == fresh.dx)
        // Accumulating onto 1 rounds differently from adding 1 afterwards, so compare to within rounding.
        Self.expectClose(dgamma, fresh.dgamma.map { Double($0) + 1 }, tolerance: 1e-6)
        Self.expectClose(dbeta, fresh.dbeta.map { Double($0) + 1 }, tolerance: 1e-6)
    }
}
