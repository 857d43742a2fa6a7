import Foundation
import Testing
@testable import Training

@Suite struct OptimizerTests {
    /// Two AdamW steps against the formula in Float64, for a decayed and an undecayed tensor.
    @Test func adamWMatchesItsFormula() {
        let store = ParameterStore()
        _ = store.register("w", shape: [3], decays: true, initializer: .normal(1))
        _ = store.register("b", shape: [2], decays: false, initializer: .normal(1))
        store.initialize(seed: 1)
        let optimizer = AdamW(settings: AdamWSettings(weightDecay: 0.1), parameters: store)
        var theta = store.flatValues.map(Double.init)
        var m = [Double](repeating: 0, count: 5), v = m
        let decays = [1.0, 1, 1, 0, 0]
        for step in 1...2 {
            let g: [Float] = (0..<5).map { Float($0 + step) * 0.3 - 0.7 }
            let rate: Float = 0.01 * Float(step)
            g.withUnsafeBufferPointer {
                optimizer.update(store.buffer.pointer, gradients: $0.baseAddress!, count: 5, rate: rate, step: step)
            }
            for i in 0..<5 {
                theta[i] *= 1 - Double(rate) * 0.1 * decays[i]
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, Double(step))), vHat = v[i] / (1 - pow(0.999, Double(step)))
                theta[i] -= Double(rate) * mHat / (vHat.squareRoot() + 1e-8)
            }
        }
        for (actual, expected) in zip(store.flatValues, theta) { #expect(abs(Double(actual) - expected) <= 1e-6) }
    }

    @Test func warmUpThenCosine() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 4, totalSteps: 14)
        #expect(schedule.rate(at: 0) == 0.25)
        #expect(schedule.rate(at: 3) == 1)
        #expect(abs(schedule.rate(at: 9) - 0.5) < 1e-6)
        #expect(abs(schedule.rate(at: 14)) < 1e-6)
        #expect(schedule.rate(at: 5) < schedule.rate(at: 4))
    }

    @Test func globalNormClipping() {
        var g: [Float] = [3, 4, 0]
        let norm = g.withUnsafeMutableBufferPointer { clipGradientNorm($0.baseAddress!, count: 3, maximum: 1) }
        #expect(norm == 5)
        #expect(abs(g[0] - 0.6) < 1e-6 && abs(g[1] - 0.8) < 1e-6)
        var small: [Float] = [0.3, 0.4]
        _ = small.withUnsafeMutableBufferPointer { clipGradientNorm($0.baseAddress!, count: 2, maximum: 1) }
        #expect(small == [0.3, 0.4])
    }
}
