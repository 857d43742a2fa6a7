import Foundation
import Kernels
import Testing

@testable import Experiments

@Suite("Student's t quantiles")
struct StudentTTests {
    @Test("97.5% quantiles match the printed table", arguments: [
        (1.0, 12.706), (2.0, 4.303), (3.0, 3.182), (5.0, 2.571), (10.0, 2.228), (30.0, 2.042), (Double.infinity, 1.960),
    ])
    func tableValues(degreesOfFreedom: Double, expected: Double) {
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: degreesOfFreedom) - expected) < 0.0006)
    }

    @Test func otherLevelsAndSymmetry() {
        #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: 10) - 1.812461) < 1e-5)
        #expect(abs(StudentT.quantile(0.995, degreesOfFreedom: 4) - 4.604095) < 1e-5)
        #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 7.5) - 2.334) < 0.002)  // between df 7 (2.365) and 8 (2.306)
        #expect(StudentT.quantile(0.025, degreesOfFreedom: 6) == -StudentT.quantile(0.975, degreesOfFreedom: 6))
        #expect(StudentT.quantile(0.5, degreesOfFreedom: 3) == 0)
    }

    @Test func quantileInvertsTheCDF() {
        for nu in [3.0, 8.0, 50.0] {
            for p in [0.6, 0.9, 0.999] {
                let t = StudentT.quantile(p, degreesOfFreedom: nu)
                #expect(abs(StudentT.cdf(t, degreesOfFreedom: nu) - p) < 1e-10)
            }
        }
    }
}

@Suite("Least-squares and power-law fits")
struct FitTests {
    @Test func linearFitIsExactOnALine() throws {
        let x: [Double] = [1, 2, 3, 4, 5]
        let fit = try LinearFit(x: x, y: x.map { 3 - 0.5 * $0 })
        #expect(abs(fit.slope + 0.5) < 1e-12)
        #expect(abs(fit.intercept - 3) < 1e-12)
        #expect(fit.slopeStandardError < 1e-12)
        #expect(abs(fit.rSquared - 1) < 1e-12)
        #expect(fit.degreesOfFreedom == 3)
    }

    @Test func linearFitStandardErrorMatchesTextbookExample() throws {
        // x = 1…5, y = 2, 4, 5, 4, 5: slope 0.6, intercept 2.2, SSE 2.4, SE(slope) = √(0.8/10) ≈ 0.28284.
        let fit = try LinearFit(x: [1, 2, 3, 4, 5], y: [2, 4, 5, 4, 5])
        #expect(abs(fit.slope - 0.6) < 1e-12)
        #expect(abs(fit.intercept - 2.2) < 1e-12)
        #expect(abs(fit.slopeStandardError - 0.282843) < 1e-6)
        #expect(abs(fit.rSquared - 0.6) < 1e-12)
        let interval = fit.slopeInterval(level: 0.95)
        #expect(abs(interval.upperBound - (0.6 + 3.182446 * 0.282843)) < 1e-4)
    }

    @Test func powerLawRecoversExactExponent() throws {
        let sizes: [Double] = [256, 512, 1024, 2048, 4096]
        let fit = try PowerLawFit(sizes: sizes, values: sizes.map { 3e-9 * $0 * $0 })
        #expect(abs(fit.exponent - 2) < 1e-12)
        #expect(abs(fit.prefactor / 3e-9 - 1) < 1e-9)
        #expect(fit.exponentInterval.lowerBound <= 2 && fit.exponentInterval.upperBound >= 2)
        #expect(abs(fit.predict(8192) / (3e-9 * 8192 * 8192) - 1) < 1e-9)
    }

    @Test func powerLawRecoversExponentFromNoisyData() throws {
        var generator = SeededGenerator(seed: 7)
        let sizes = (0..<12).map { 128 * pow(2, Double($0) / 2) }
        let values = sizes.map { 1e-10 * pow($0, 2.807) * exp(0.05 * generator.nextNormal()) }
        let fit = try PowerLawFit(sizes: sizes, values: values)
        #expect(abs(fit.exponent - 2.807) < 0.05)
        #expect(fit.exponentInterval.contains(2.807))
        #expect(fit.exponentInterval.upperBound - fit.exponentInterval.lowerBound < 0.2)
        #expect(fit.rSquared > 0.99)
    }

    @Test func badInputIsATypedError() {
        #expect(throws: FitError.tooFewPoints(2)) { try PowerLawFit(sizes: [1, 2], values: [1, 4]) }
        #expect(throws: FitError.invalidConfidenceLevel(1)) {
            try PowerLawFit(sizes: [1, 2, 3], values: [1, 4, 9], confidenceLevel: 1)
        }
        #expect(throws: FitError.nonPositive) { try PowerLawFit(sizes: [1, 2, 0], values: [1, 4, 9]) }
        #expect(throws: FitError.lengthMismatch(x: 3, y: 2)) { try LinearFit(x: [1, 2, 3], y: [1, 2]) }
        #expect(throws: FitError.constantX) { try LinearFit(x: [2, 2, 2], y: [1, 2, 3]) }
        #expect(throws: FitError.nonFinite) { try LinearFit(x: [1, 2, .nan], y: [1, 2, 3]) }
    }
}

@Suite("Claim verdicts")
struct ClaimResultTests {
    let prediction = Prediction.near(value: 2, tolerance: 0.15)

    @Test func verdictFollowsTheInterval() {
        let inside = ClaimResult(claim: "N²", prediction: prediction, measured: 2.02, interval: 1.95...2.1)
        let outside = ClaimResult(claim: "N²", prediction: prediction, measured: 2.6, interval: 2.5...2.7)
        let straddling = ClaimResult(claim: "N²", prediction: prediction, measured: 2.1, interval: 1.9...2.3)
        #expect(inside.verdict == .supported)
        #expect(outside.verdict == .notSupported)
        #expect(straddling.verdict == .inconclusive)
        #expect(inside.predicted == "2 ± 0.15")
    }

    @Test func oneSidedPredictionsAndFits() throws {
        let bounded = ClaimResult(claim: "ratio bounded", prediction: .atMost(5), measured: 2.4, interval: 2.2...2.6)
        #expect(bounded.verdict == .supported)
        #expect(bounded.predicted == "≤ 5")
        let sizes: [Double] = [1, 2, 4, 8]
        let fit = try PowerLawFit(sizes: sizes, values: sizes.map { $0 * $0 * $0 })
        let cubic = ClaimResult(claim: "classical GEMM is cubic", prediction: .atLeast(2.9), fit: fit)
        #expect(cubic.verdict == .supported)
        #expect(abs(cubic.measured - 3) < 1e-12)
    }

    @Test func roundTripsThroughJSON() throws {
        let claim = ClaimResult(claim: "x", prediction: prediction, measured: 2, interval: 1.9...2.1, note: "noisy")
        let decoded = try JSONDecoder().decode(ClaimResult.self, from: JSONEncoder().encode(claim))
        #expect(decoded == claim)
    }
}
