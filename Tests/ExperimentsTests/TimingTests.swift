import Foundation
import Testing

@testable import Experiments

@Suite("Timing")
struct TimingTests {
    @Test func sampleStatistics() {
        let sample = TimingSample(seconds: [4, 1, 3, 2], noisyThreshold: 0.1, stopReason: .maxRepeats)
        #expect(sample.median == 2.5)
        #expect(sample.minimum == 1)
        #expect(sample.mean == 2.5)
        #expect(abs(sample.coefficientOfVariation - (5.0 / 3).squareRoot() / 2.5) < 1e-12)
        #expect(sample.isNoisy)
        let steady = TimingSample(seconds: [1, 1, 1], noisyThreshold: 0.1, stopReason: .stable)
        #expect(!steady.isNoisy && steady.coefficientOfVariation == 0)
    }

    @Test func countsWarmupAndStopsAtMaxRepeats() {
        var calls = 0
        let policy = TimingPolicy(warmup: 2, minRepeats: 3, maxRepeats: 7, budgetSeconds: 60, stableRelativeSpread: 0)
        let sample = measure(policy) { calls += 1 }
        #expect(sample.seconds.count == 7)
        #expect(calls == 9)
        #expect(sample.stopReason == .maxRepeats)
    }

    @Test func stopsWhenTheBudgetIsSpent() {
        let policy = TimingPolicy(warmup: 1, minRepeats: 1000, maxRepeats: 1000, budgetSeconds: 0.15, stableRelativeSpread: 0)
        let start = Date()
        let sample = measure(policy) { Thread.sleep(forTimeInterval: 0.02) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(sample.stopReason == .budget)
        #expect(sample.seconds.count >= 2 && sample.seconds.count <= 7)
        #expect(elapsed < 0.15 + 0.5)  // the next call is never started past the budget
        #expect(sample.minimum >= 0.02)
    }

    @Test func alwaysTimesOneCallEvenOverBudget() {
        let policy = TimingPolicy(warmup: 3, minRepeats: 5, budgetSeconds: 0)
        var calls = 0
        let sample = measure(policy) { calls += 1 }
        #expect(sample.seconds.count == 1)
        #expect(calls == 1)  // no warm-up fits a zero budget
    }

    @Test func stopsWhenTheMedianIsStable() {
        // An unbounded spread allowance makes the median stable as soon as the window is filled.
        let policy = TimingPolicy(warmup: 0, minRepeats: 2, maxRepeats: 100, budgetSeconds: 60, stableWindow: 3,
                                  stableRelativeSpread: .greatestFiniteMagnitude)
        let sample = measure(policy) { Thread.sleep(forTimeInterval: 0.001) }
        #expect(sample.stopReason == .stable)
        #expect(sample.seconds.count == 4)
    }

    @Test func errorsPropagate() {
        struct Boom: Error {}
        #expect(throws: Boom.self) { try measure(.standard) { throw Boom() } }
    }
}
