import Foundation
import Testing
@testable import Training
@testable import Experiments

/// Strings of 1…3 letters, reference width 8 with 2 heads, 8 steps of batch 4: a point trains in well under a second.
private func tiny(mixers: [MixerChoice] = [.exact, .mamba(stateSize: 2), .linear], rates: [Float] = [3e-3])
    -> CopyConfiguration
{
    CopyConfiguration(mixers: mixers, widths: [8], heads: 2, minLength: 1, maxLength: 3, learningRates: rates, steps: 8,
                      batchSize: 4, trainSamples: 32, validationSamples: 24, settings: MeasurementSettings(threads: 1))
}

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")

/// A stored result with the given per-length sequence accuracies (L = 1, 2, …) and state bytes.
private func result(_ mixer: String, rate: Float, accuracies: [Double], stateBytes: Int = 1000)
    -> ExperimentResult<CopyPoint, CopyValues>
{
    let lengths = accuracies.enumerated().map { index, accuracy in
        TargetCountAccuracy(countedTargets: index + 1, examples: 100, examplesRight: Int((accuracy * 100).rounded()),
                            targetsRight: Int((accuracy * 100).rounded()) * (index + 1))
    }
    return ExperimentResult(
        point: CopyPoint(mixer: mixer, referenceWidth: 32, width: 32, learningRate: rate),
        values: CopyValues(accuracy: accuracies.reduce(0, +) / Double(accuracies.count), lengths: lengths,
                           validationLoss: 1, trainLoss: 1, stateBytes: stateBytes, parameters: 100, steps: 10,
                           stepsPerSecond: 5, seconds: 2, curve: []))
}

@Suite("experiment copy")
struct CopyExperimentTests {
    @Test func widthsMatchTheTransformersParameterCount() throws {
        let experiment = try CopyExperiment(configuration: CopyConfiguration(widths: [32, 64]))
        for width in [32, 64] {
            let target = try EqualParameterWidth.parameters(CopyExperiment.model(experiment.configuration, mixer: .exact, width: width))
            for mixer in CopyConfiguration.defaultMixers {
                let match = try #require(experiment.matched[.init(mixer: mixer.description, referenceWidth: width)])
                #expect(abs(Double(match.parameters) / Double(target) - 1) < 0.1, "\(mixer) at \(width): \(match)")
            }
        }
        #expect(experiment.points.count == 2 * 3 * 2)
        #expect(experiment.points.filter { $0.mixer == "exact" }.allSatisfy { $0.width == $0.referenceWidth })
    }

    @Test func lengthBucketsCoverTheValidationSet() throws {
        let experiment = try CopyExperiment(configuration: tiny(mixers: [.exact]))
        let point = experiment.points[0]
        let values = try experiment.measure(point, peakGFLOPS: nil)
        #expect(values.lengths.map(\.countedTargets) == [1, 2, 3])
        #expect(values.lengths.reduce(0) { $0 + $1.examples } == 24)
        let right = values.lengths.reduce(0) { $0 + $1.examplesRight }
        #expect(abs(Double(right) / 24 - values.accuracy) < 1e-12)
        #expect(values.stateBytes == 2 * (2 * 9 * 2 * 4 * 4))
    }

    @Test func sweepStoresResumesShardsAndReports() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("copy.sqlite"))
        let experiment = try CopyExperiment(configuration: tiny())
        let first = try SweepRunner(store: store, shard: Shard(index: 0, count: 2), machine: machine).run(experiment)
        let second = try SweepRunner(store: store, shard: Shard(index: 1, count: 2), machine: machine).run(experiment)
        #expect(first.measuredPoints > 0 && second.measuredPoints > 0 && first.measuredPoints + second.measuredPoints == 3)
        let again = try SweepRunner(store: store, machine: machine).run(experiment)
        #expect(again.measuredPoints == 0 && again.resumedPoints == 3)
        #expect(again.analysis.table.rows.count == 3)
        #expect(again.analysis.claims.count == 1 + 2 + 2)
        #expect(again.analysis.lists["lengths"]?.count == 3 * 3)
        #expect(try store.curves().count == 3 * CopyExperiment.curvePoints)
        let section = try #require(try ExperimentCatalog.reportSections(from: store).first { $0.title == CopyExperiment.title })
        #expect(section.plots.count == 1 && section.plots[0].series.count == 3)
        #expect(section.plots[0].svg().contains("<svg"))
    }

    @Test func claimsCompareTheLongestStringsAtTheBestRate() {
        let analysis = CopyAnalysis(configuration: CopyConfiguration(mixers: [.exact, .linear], widths: [32]), results: [
            result("exact", rate: 1e-3, accuracies: [1, 0.5, 0.2]),
            result("exact", rate: 3e-3, accuracies: [1, 1, 0.95]),
            result("linear", rate: 1e-3, accuracies: [1, 0.3, 0], stateBytes: 1),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.supported, .supported, .supported])
        #expect(abs(analysis.claims[1].measured + 0.95) < 1e-12)
        // Exact copies up to L = 3: 3·log2(26) bits over linear's 8 state bits.
        #expect(abs(analysis.claims[2].measured - 3 * log2(26.0) / 8) < 1e-12)
    }

    @Test func missingPointsLeaveClaimsInconclusive() {
        let analysis = CopyAnalysis(configuration: CopyConfiguration(mixers: [.exact, .linear]), results: [
            result("linear", rate: 1e-3, accuracies: [1, 0.3]),
        ]).analysis()
        #expect(analysis.claims.map(\.verdict) == [.inconclusive, .inconclusive, .inconclusive])
    }

    @Test func badConfigurationsThrowOneLineErrors() {
        #expect(throws: ExperimentError.invalidOption("max length must be at least min length, got 2 and 5")) {
            try CopyExperiment(configuration: CopyConfiguration(minLength: 5, maxLength: 2))
        }
        #expect(throws: ExperimentError.invalidOption("width 30 is not a multiple of 4 heads")) {
            try CopyExperiment(configuration: CopyConfiguration(widths: [30]))
        }
        #expect(throws: ExperimentError.self) {
            try CopyExperiment(configuration: CopyConfiguration(mixers: [.exact, .linformer(projected: 8)]))
        }
    }

    @Test func commandPrintsClaimsAsJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try Attnlab.run([
            "experiment", "copy", "--mixers", "exact,linear", "--widths", "8", "--heads", "2", "--min-length", "1",
            "--max-length", "2", "--steps", "4", "--batch", "4", "--train-samples", "16", "--validation-samples", "8",
            "--learning-rates", "0.003", "--threads", "1", "--json", "--db", directory.path("copy.sqlite"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let claims = try #require(object?["claims"] as? [[String: Any]])
        #expect(claims.count == 3)
        // An inconclusive claim without a measurement has no `measured` (JSON has no NaN).
        #expect(claims.allSatisfy {
            $0["claim"] is String && ($0["measured"] is NSNumber || $0["verdict"] as? String == "inconclusive")
        })
        #expect((object?["lengths"] as? [[String: Any]])?.count == 2 * 2)
    }
}
