import Foundation
import Testing

@testable import Experiments

/// A point measured three times at exactly `seconds` (so its interval has zero width).
private func exact(_ seconds: Double, flops: Double? = nil) -> MeasurementValues {
    MeasurementValues(TimingSample(seconds: [seconds, seconds, seconds], noisyThreshold: 0.1, stopReason: .stable),
                      flops: flops, peakGFLOPS: 100)
}

@Suite("Experiment analyses on synthetic timings")
struct ExperimentAnalysisTests {
    @Test func scalingFitsTheExponentAndJudgesIt() throws {
        let configuration = ScalingConfiguration(lengths: [256, 512, 1024, 2048], headDimension: 64,
                                                 headDimensions: [16, 32, 64], fixedLength: 512)
        let experiment = try ScalingExperiment(configuration: configuration)
        // flash follows N²·m exactly; naive grows as N^2.5 and m^1.5.
        let results = experiment.points.map { point in
            let exponents = point.path == .flash ? (2.0, 1.0) : (2.5, 1.5)
            return ExperimentResult(point: point, values: exact(1e-9 * pow(Double(point.n), exponents.0) * pow(Double(point.m), exponents.1)))
        }
        let analysis = experiment.analyse(results)
        #expect(analysis.claims.count == 4)
        let (flashN, flashM, naiveN, naiveM) = (analysis.claims[0], analysis.claims[1], analysis.claims[2], analysis.claims[3])
        #expect(abs(flashN.measured - 2) < 1e-9 && flashN.verdict == .supported && flashN.predicted == "2 ± 0.15")
        #expect(abs(flashM.measured - 1) < 1e-9 && flashM.verdict == .supported)
        #expect(abs(naiveN.measured - 2.5) < 1e-9 && naiveN.verdict == .notSupported)
        #expect(naiveM.verdict == .notSupported)
        #expect(analysis.plots.count == 2)
        let flashSeries = try #require(analysis.plots[0].series.first)
        #expect(flashSeries.points.count == 4 && abs((flashSeries.fit?.exponent ?? 0) - 2) < 1e-9)
        #expect(flashSeries.points.allSatisfy { $0.yLow != nil && $0.yHigh != nil })
        #expect(analysis.table.rows.count == results.count)
    }

    @Test func missingPointsGiveInconclusiveClaimsThatSayWhy() throws {
        let experiment = try ScalingExperiment(configuration: ScalingConfiguration(paths: [.flash]))
        let two = experiment.points.prefix(2).map { ExperimentResult(point: $0, values: exact(0.01)) }
        let claims = experiment.analyse(Array(two)).claims
        #expect(claims.count == 2)
        #expect(claims.allSatisfy { $0.verdict == .inconclusive && $0.measured.isNaN })
        #expect(claims[0].note.contains("at least 3 points"))
    }

    @Test func directSumJudgesFlatnessOfTimePerHead() throws {
        let experiment = try DirectSumExperiment(configuration: DirectSumConfiguration(
            length: 64, headDimension: 64, heads: [1, 2, 4, 8], layers: [1, 2], modes: [.fused, .separate, .wide]))
        // Wide heads are left out where H·m > 256.
        #expect(!experiment.points.contains { $0.mode == .wide && $0.heads == 8 })
        #expect(experiment.points.count == 8 + 8 + 6)
        // fused: exactly 1 ms per head; separate: per-head time doubles from H·L = 1 to 16.
        let results = experiment.points.map { point -> ExperimentResult<DirectSumPoint, MeasurementValues> in
            let count = Double(point.headCount)
            let perHead: Double = switch point.mode {
            case .fused: 1e-3
            case .separate: 1e-3 * pow(count, 0.25)
            case .wide: 0.8e-3
            }
            return ExperimentResult(point: point, values: exact(perHead * count))
        }
        let analysis = experiment.analyse(results)
        let claims = analysis.claims
        #expect(claims.count == 2, "the wide mode is plotted, not claimed")
        #expect(claims[0].verdict == .supported && abs(claims[0].measured) < 1e-9 && claims[0].predicted == "0 ± 0.066")
        #expect(claims[1].verdict == .notSupported && abs(claims[1].measured - 0.25) < 1e-9)
        #expect(analysis.plots[0].series.map(\.name) == ["fused", "separate", "wide"])
    }

    @Test func gradientCostReportsBoundedRatiosAgainstTheFlopRatio() throws {
        let experiment = try GradientCostExperiment(configuration: GradientCostConfiguration(
            lengths: [256, 512, 1024, 2048], levels: [.attention]))
        let constant = experiment.points.map { point in
            ExperimentResult(point: point, values: GradientCostValues(
                forward: exact(1e-3), backward: exact(2.8e-3), ratio: 2.8, flopRatio: 2.5))
        }
        let claims = experiment.analyse(constant).claims
        #expect(claims.count == 2)
        #expect(claims[0].verdict == .supported && abs(claims[0].measured) < 1e-9)
        #expect(claims[1].verdict == .supported && abs(claims[1].measured - 2.8) < 1e-9 && claims[1].predicted == "2.5 ± 1")
        let growing = experiment.points.map { point in
            let ratio = Double(point.n) / 64
            return ExperimentResult(point: point, values: GradientCostValues(
                forward: exact(1e-3), backward: exact(ratio * 1e-3), ratio: ratio, flopRatio: 2.5))
        }
        #expect(experiment.analyse(growing).claims[0].verdict == .notSupported)
    }

    @Test func largeEmbeddingFindsTheExponentsAndTheCrossover() throws {
        let experiment = try LargeEmbeddingExperiment(configuration: LargeEmbeddingConfiguration(
            sizes: [128, 256, 512, 1024, 2048], cutoff: 256))
        // Strassen is slower below 512 and follows N^log2(7) with a smaller constant above.
        let results = experiment.points.map { point in
            let n = Double(point.n)
            let seconds = point.algorithm == .classical ? 1e-10 * pow(n, 3) : (n < 512 ? 2e-10 * pow(n, 3) : 1e-10 * pow(512, 3) * pow(n / 512, log2(7)))
            return ExperimentResult(point: point, values: exact(seconds))
        }
        let claims = experiment.analyse(results).claims
        #expect(claims.count == 3)
        #expect(claims[0].verdict == .supported && abs(claims[0].measured - 3) < 1e-9)
        #expect(claims[1].verdict == .supported && abs(claims[1].measured - log2(7)) < 1e-9)
        #expect(claims[2].verdict == .supported && abs(claims[2].measured - pow(4, 3) / pow(4, log2(7))) < 1e-9)
        #expect(claims[2].note.contains("crossover (faster from here on): N = 1024"))
    }

    @Test func configurationsRejectBadSizes() {
        #expect(throws: ExperimentError.invalidOption("sequence lengths (N) must be positive, got 0")) {
            try ScalingExperiment(configuration: ScalingConfiguration(lengths: [512, 0]))
        }
        #expect(throws: ExperimentError.self) { try ScalingExperiment(configuration: ScalingConfiguration(headDimension: 300)) }
        #expect(throws: ExperimentError.self) { try ScalingExperiment(configuration: ScalingConfiguration(lengths: [])) }
        #expect(throws: ExperimentError.self) { try DirectSumExperiment(configuration: DirectSumConfiguration(heads: [2, 2])) }
        #expect(throws: ExperimentError.self) { try DirectSumExperiment(configuration: DirectSumConfiguration(modes: [])) }
        #expect(throws: ExperimentError.self) { try LargeEmbeddingExperiment(configuration: LargeEmbeddingConfiguration(cutoff: 0)) }
        #expect(throws: ExperimentError.self) {
            try GradientCostExperiment(configuration: GradientCostConfiguration(settings: MeasurementSettings(threads: 0)))
        }
        #expect(throws: ExperimentError.self) {
            try HardnessScalingExperiment(configuration: HardnessScalingConfiguration(problems: [.maxIP]))
        }
        #expect(ExperimentError.unknownExperiment("x").description.contains("scaling, direct-sum"))
    }

    @Test func scalingSweepSharesThePointBothSweepsContain() throws {
        let experiment = try ScalingExperiment(configuration: ScalingConfiguration(
            lengths: [256, 512], headDimension: 32, headDimensions: [16, 32], fixedLength: 512, paths: [.flash]))
        #expect(experiment.points.map { [$0.n, $0.m] } == [[256, 32], [512, 32], [512, 16]])
    }
}
