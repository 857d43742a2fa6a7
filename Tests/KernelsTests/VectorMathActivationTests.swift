import Foundation
import Kernels
import Testing

@Suite("Special functions and activations")
struct VectorMathActivationTests {
    /// `count` evenly spaced points of [low, high].
    static func sweep(_ low: Double, _ high: Double, count: Int) -> [Float] {
        (0..<count).map { Float(low + (high - low) * Double($0) / Double(count - 1)) }
    }

    /// Applies a `FloatVector` function to every element of `x` (zero padding in the last vector).
    static func lanes(_ x: [Float], _ f: (FloatVector) -> FloatVector) -> [Float] {
        let width = InstructionSet.vectorLanes
        return stride(from: 0, to: x.count, by: width).flatMap { start -> [Float] in
            var v = FloatVector()
            for lane in 0..<min(width, x.count - start) { v[lane] = x[start + lane] }
            let y = f(v)
            return (0..<min(width, x.count - start)).map { y[$0] }
        }
    }

    @Test("erf: absolute error ≤ 1.2e-7 on [−6, 6], relative ≤ 2e-7 near 0; erfc and Φ relative ≤ 5e-7 into the tails")
    func errorFunctions() {
        let x = Self.sweep(-6, 6, count: 200_001)
        let erfValues = Self.lanes(x) { vectorErf($0) }
        #expect(zip(x, erfValues).allSatisfy { abs(Double($1) - erf(Double($0))) <= 1.2e-7 })
        let small = Self.sweep(-1, 1, count: 20_001).filter { $0 != 0 } + [1e-30, -1e-20, 1e-6]
        #expect(VectorMathTestSupport.maxError(Self.lanes(small) { vectorErf($0) }, small.map { erf(Double($0)) }, floor: 0) <= 2e-7)
        let wide = Self.sweep(-4, 9.1, count: 200_001)
        #expect(VectorMathTestSupport.maxError(Self.lanes(wide) { vectorErfc($0) }, wide.map { erfc(Double($0)) }, floor: 0) <= 5e-7)
        let tails = Self.sweep(-13, 13, count: 100_001)
        let cdf = Self.lanes(tails) { vectorNormalCDF($0) }
        #expect(VectorMathTestSupport.maxError(cdf, tails.map { VectorMathReference.normalCDF(Double($0)) }, floor: 0) <= 5e-7)
        let specials: [Float] = [.infinity, -.infinity, .nan, 0, 11, 30]
        let erfSpecial = Self.lanes(specials) { vectorErf($0) }, erfcSpecial = Self.lanes(specials) { vectorErfc($0) }
        #expect(erfSpecial[0] == 1 && erfSpecial[1] == -1 && erfSpecial[2].isNaN && erfSpecial[3] == 0)
        #expect(erfcSpecial[0] == 0 && erfcSpecial[1] == 2 && erfcSpecial[2].isNaN && erfcSpecial[3] == 1)
        #expect(erfcSpecial[4] == 0 && erfcSpecial[5] == 0)
    }

    @Test("sigmoid: relative error ≤ 4e-7 on [−80, 80]")
    func sigmoid() {
        let x = Self.sweep(-80, 80, count: 100_001)
        let y = Self.lanes(x) { vectorSigmoid($0) }
        #expect(VectorMathTestSupport.maxError(y, x.map { VectorMathReference.sigmoid(Double($0)) }, floor: 0) <= 4e-7)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let activation: Activation
        let forward: @Sendable (Double) -> Double
        let derivative: @Sendable (Double) -> Double
        var testDescription: String { activation.rawValue }
    }

    static let cases = [
        Case(activation: .geluTanh, forward: VectorMathReference.geluTanh, derivative: VectorMathReference.geluTanhDerivative),
        Case(activation: .geluErf, forward: VectorMathReference.geluErf, derivative: VectorMathReference.geluErfDerivative),
        Case(activation: .silu, forward: VectorMathReference.silu, derivative: VectorMathReference.siluDerivative),
    ]

    @Test("match Float64 on [−30, 30]: |error| ≤ 1e-6·(|f| + 1e-3) forward, 1e-6·(|f'| + 0.05) derivative",
          arguments: cases)
    func matchesReference(_ c: Case) {
        let x = Self.sweep(-30, 30, count: 60_001) + [1e-20, -1e-20, 1e-8]
        let y = VectorMathTestSupport.map(x) { c.activation.apply($0, $1, count: $2) }
        #expect(VectorMathTestSupport.maxError(y, x.map { c.forward(Double($0)) }, floor: 1e-3) <= 1e-6)
        let ones = [Float](repeating: 1, count: x.count)
        let slope = Self.backward(c.activation, x: x, dy: ones)
        // f' crosses zero where its two terms (each ~0.3) cancel, so near 0 its error is absolute (~3e-8).
        #expect(VectorMathTestSupport.maxError(slope, x.map { c.derivative(Double($0)) }, floor: 0.05) <= 1e-6)
    }

    @Test("derivative matches central finite differences of the Float64 forward on odd sizes", arguments: cases)
    func finiteDifferences(_ c: Case) {
        for count in [1, 7, 33] {
            let x = VectorMathTestSupport.normals(count, scale: 3, seed: UInt64(count))
            let dy = VectorMathTestSupport.normals(count, seed: UInt64(count) + 1)
            let dx = Self.backward(c.activation, x: x, dy: dy)
            for i in 0..<count {
                let h = 1e-5, v = Double(x[i])
                let numeric = Double(dy[i]) * (c.forward(v + h) - c.forward(v - h)) / (2 * h)
                #expect(abs(Double(dx[i]) - numeric) <= 1e-5 * (abs(numeric) + abs(Double(dy[i]))))
            }
        }
    }

    @Test("infinities follow the limits and NaN propagates", arguments: cases)
    func specialValues(_ c: Case) {
        let x: [Float] = [.infinity, -.infinity, .nan, 1e30, -1e30, 0]
        let y = VectorMathTestSupport.map(x) { c.activation.apply($0, $1, count: $2) }
        #expect(y[0] == .infinity && y[1] == 0 && y[2].isNaN && y[3] == 1e30 && y[4] == 0 && y[5] == 0)
        let slope = Self.backward(c.activation, x: x, dy: [Float](repeating: 1, count: x.count))
        #expect(slope[0] == 1 && slope[1] == 0 && slope[2].isNaN && slope[3] == 1 && slope[4] == 0 && slope[5] == 0.5)
    }

    static func backward(_ activation: Activation, x: [Float], dy: [Float]) -> [Float] {
        var dx = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { activation.backward(px.baseAddress!, pdy.baseAddress!, $0.baseAddress!, count: x.count) }
            }
        }
        return dx
    }
}
