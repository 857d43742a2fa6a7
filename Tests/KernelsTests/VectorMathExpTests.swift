import Foundation
import Kernels
import Testing

@Suite("Vector exp")
struct VectorMathExpTests {
    @Test("relative error ≤ 2e-7 on a dense sweep of [−87, 88] (2²⁰ + 1 points)")
    func denseSweep() {
        let count = (1 << 20) + 1
        let x = (0..<count).map { Float(-87.0 + 175.0 * Double($0) / Double(count - 1)) }
        let y = VectorMathTestSupport.map(x) { exp($0, $1, count: $2) }
        var worst = 0.0
        for i in 0..<count {
            let reference = Foundation.exp(Double(x[i]))
            worst = max(worst, abs(Double(y[i]) - reference) / reference)
        }
        #expect(worst <= 2e-7)
    }

    @Test("special values: −inf → 0, +inf → +inf, overflow → +inf, deep underflow → 0, NaN propagates")
    func specialValues() {
        let x: [Float] = [-.infinity, .infinity, 88.72284, 89, 1e30, -104, -1e30, .nan, 0, -0.0, 88.7228]
        let y = VectorMathTestSupport.map(x) { exp($0, $1, count: $2) }
        #expect(y[0] == 0)
        #expect(y[1] == .infinity)
        #expect(y[2] == .infinity && y[3] == .infinity && y[4] == .infinity)
        #expect(y[5] == 0 && y[6] == 0)
        #expect(y[7].isNaN)
        #expect(y[8] == 1 && y[9] == 1)
        #expect(y[10].isFinite && abs(Double(y[10]) / Foundation.exp(Double(x[10])) - 1) <= 2e-7)
    }

    @Test("subnormal results are gradually underflowed to within one subnormal step")
    func subnormalRange() {
        let x = (0..<2000).map { Float(-103.9 + 16.5 * Double($0) / 1999) }  // e^x from ~1e-45 to ~2e-38
        let y = VectorMathTestSupport.map(x) { exp($0, $1, count: $2) }
        for (value, result) in zip(x, y) {
            #expect(abs(Double(result) - Foundation.exp(Double(value))) <= Double(Float.leastNonzeroMagnitude))
        }
    }

    @Test("a value's result does not depend on its position in the buffer (tail uses the same code)",
          arguments: [1, 7, 15, 16, 17, 33])
    func positionIndependence(count: Int) {
        let values = VectorMathTestSupport.normals(count, scale: 10, seed: UInt64(count))
        let whole = VectorMathTestSupport.map(values) { exp($0, $1, count: $2) }
        for i in 0..<count {
            let single = VectorMathTestSupport.map([values[i]]) { exp($0, $1, count: $2) }
            #expect(single[0] == whole[i])
        }
    }

    @Test("the SIMD form agrees with the buffer form")
    func simdForm() {
        let width = InstructionSet.vectorLanes
        let values = VectorMathTestSupport.normals(width, scale: 20, seed: 3)
        let lanes = vectorExp(FloatVector(values))
        let buffer = VectorMathTestSupport.map(values) { exp($0, $1, count: $2) }
        #expect((0..<width).allSatisfy { lanes[$0] == buffer[$0] })
    }
}
