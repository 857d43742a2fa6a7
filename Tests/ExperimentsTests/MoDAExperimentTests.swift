import Foundation
import Testing
import Training

@testable import Experiments

/// `experiment moda`: the claims from stored points, and a tiny sweep end to end with its depth masses.
@Suite("MoDA experiment")
struct MoDAExperimentTests {
    private func result(_ norm: NormPlacement, _ variant: MoDAVariant, loss: Double, layers: Int = 24)
        -> ExperimentResult<MoDAPoint, MoDAValues>
    {
        ExperimentResult(
            point: MoDAPoint(layers: layers, norm: norm, variant: variant),
            values: MoDAValues(validationLoss: loss, trainLoss: loss, depthMass: variant == .baseline ? [] : [0, 0.2, 0.4],
                               parameters: 100, steps: 10, stepsPerSecond: 5, seconds: 2, curve: []))
    }

    @Test func claimsCompareGainsUnderBothNorms() {
        let analysis = MoDAAnalysis(configuration: MoDAConfiguration(), results: [
            result(.pre, .baseline, loss: 2.0), result(.pre, .depthKeys, loss: 1.99), result(.pre, .depthKeysFeedForward, loss: 1.98),
            result(.post, .baseline, loss: 2.2), result(.post, .depthKeys, loss: 2.1), result(.post, .depthKeysFeedForward, loss: 2.05),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.supported, .supported, .supported])
        #expect(abs(analysis.claims[0].measured - 0.02) < 1e-9)
        #expect(abs(analysis.claims[2].measured - (0.15 - 0.02)) < 1e-9)
        #expect(analysis.table.rows.count == 6)
        #expect(analysis.table.rows[1][5] == "0.3")
        #expect(analysis.plots.count == 2)
    }

    @Test func aLossThatRisesIsNotSupportedAndMissingPointsAreInconclusive() {
        let analysis = MoDAAnalysis(configuration: MoDAConfiguration(), results: [
            result(.pre, .baseline, loss: 2.0), result(.pre, .depthKeysFeedForward, loss: 2.1),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.notSupported, .inconclusive, .inconclusive])
    }

    @Test func tinySweepStoresLossesAndDepthMass() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("m.sqlite"))
        let experiment = try MoDAExperiment(configuration: MoDAConfiguration(
            layers: [3], norms: [.post], width: 8, heads: 2, context: 7, steps: 4, batchSize: 4,
            settings: MeasurementSettings(threads: 2)))
        let outcome = try SweepRunner(store: store, machine: testMachine).run(experiment)
        #expect(outcome.measuredPoints == 3)
        let results = try experiment.results(from: store.measurements(experiment: "moda"))
        for result in results {
            #expect(result.values.validationLoss.isFinite)
            #expect(result.values.depthMass.count == (result.point.variant == .baseline ? 0 : 3))
        }
        #expect(results.filter { $0.point.variant != .baseline }.allSatisfy { $0.values.meanDepthMass! > 0 })
    }

    @Test func rejectsEmptyAndRepeatedLists() {
        #expect(throws: ExperimentError.self) { try MoDAExperiment(configuration: MoDAConfiguration(layers: [])) }
        #expect(throws: ExperimentError.self) { try MoDAExperiment(configuration: MoDAConfiguration(norms: [.pre, .pre])) }
    }
}
