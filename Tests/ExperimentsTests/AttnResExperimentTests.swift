import Foundation
import Testing
import Training

@testable import Experiments

/// `experiment attnres`: the claims from synthetic profiles, and a tiny sweep end to end.
@Suite("Attention Residuals experiment")
struct AttnResExperimentTests {
    private func result(_ variant: AttnResConfiguration.Variant, hidden: [Double], gradients: [Double])
        -> ExperimentResult<AttnResPoint, AttnResValues>
    {
        let profile = DepthProfile(hiddenRMS: hidden, outputRMS: hidden, layerGradientNorms: gradients, mixing: [])
        return ExperimentResult(
            point: AttnResPoint(layers: 2, variant: variant),
            values: AttnResValues(validationLoss: 2, validationAccuracy: 0.3, trainLoss: 2, profile: profile,
                                  initialProfile: profile, parameters: 100, stepsPerSecond: 5, seconds: 2, curve: []))
    }

    @Test func claimsCompareWithTheBaselineOfTheSameDepth() {
        let configuration = AttnResConfiguration(depths: [2], variants: [.baseline, .full])
        let analysis = AttnResAnalysis(configuration: configuration, results: [
            result(.baseline, hidden: [1, 2, 4, 8], gradients: [10, 1]),
            result(.full, hidden: [1, 1.5, 1.2, 2], gradients: [2, 1]),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.supported, .supported, .supported])
        #expect(abs(analysis.claims[0].measured - 8) < 1e-12)
        #expect(abs(analysis.claims[1].measured - 0.25) < 1e-12)
        #expect(abs(analysis.claims[2].measured - 0.2) < 1e-12)
        #expect(analysis.plots.count == 3)
        #expect(analysis.lists["sublayers"]?.count == 8 && analysis.lists["blocks"]?.count == 4)
    }

    @Test func missingBaselineLeavesClaimsInconclusive() {
        let configuration = AttnResConfiguration(depths: [2], variants: [.baseline, .block])
        let analysis = AttnResAnalysis(configuration: configuration, results: [
            result(.block, hidden: [1, 1, 1, 1], gradients: [1, 1]),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.inconclusive, .inconclusive, .inconclusive])
    }

    @Test func tinySweepStoresProfiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let experiment = try AttnResExperiment(configuration: AttnResConfiguration(
            depths: [2], blocks: 2, width: 8, heads: 1, context: 8, steps: 3, batchSize: 2,
            settings: MeasurementSettings(threads: 2)))
        let outcome = try SweepRunner(store: store, machine: testMachine).run(experiment)
        #expect(outcome.measuredPoints == 3)
        let results = try experiment.results(from: store.measurements(experiment: "attnres"))
        for result in results {
            let profile = result.values.profile
            #expect(profile.hiddenRMS.count == 4 && profile.outputRMS.count == 4 && profile.layerGradientNorms.count == 2)
            #expect(profile.mixing.count == (result.point.variant == .baseline ? 0 : 4))
            #expect(result.values.validationLoss.isFinite)
        }
        let analysis = experiment.analyse(results)
        #expect(analysis.claims.count == 5 && analysis.plots.count == 5)
    }

    @Test func rejectsBlocksThatDoNotDivideTheSubLayers() {
        #expect(throws: ExperimentError.self) {
            try AttnResExperiment(configuration: AttnResConfiguration(depths: [16], blocks: 3))
        }
    }
}
