import Foundation
import Hardness
import Kernels
import Mixers
import Testing

@testable import Experiments

private let machine = MachineDescription(cpuModel: "test", cores: 2, peakGFLOPS: nil, operatingSystem: "test")

@Suite("experiment mixer-hardness")
struct MixerHardnessExperimentTests {
    /// n = 8, 16 on OV and 3-OV with exact and four budgeted mixers (budget 4 and N): exact answers every
    /// instance, and so does the window at w = N.
    @Test func smallSweepRunsEveryMixerKindOfAdaptation() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("mh.sqlite"))
        let experiment = try MixerHardnessExperiment(configuration: MixerHardnessConfiguration(
            problems: [.ov, .threeOV], setSizes: [8, 16], mixers: [.exact, .window, .nystrom, .polynomial, .performer],
            budgets: [4], instances: 2))
        let outcome = try SweepRunner(store: store, machine: machine).run(experiment)
        #expect(outcome.storedPoints == 2 * 2 * (1 + 3 * 2 + 1))  // exact; window, polynomial, Performer at 4 and N; Nyström at 4
        let results = try experiment.results(from: store.measurements(experiment: MixerHardnessExperiment.name))
        #expect(results.filter { $0.point.mixer == .exact }.allSatisfy { $0.values.accuracy == 1 && $0.values.instances == 4 })
        #expect(outcome.analysis.claims.first?.verdict == .supported)
        #expect(outcome.analysis.lists["accuracy"]?.count == 32)
        #expect(results.filter { $0.point.mixer == .window && $0.point.budget == $0.point.n + 1 }.allSatisfy { $0.values.accuracy == 1 })
        let analysis = MixerHardnessAnalysis(configuration: experiment.configuration, results: results)
        #expect(analysis.targetBudgets(.window).map(\.budget) == [Int.max, Int.max])
    }

    @Test func exactKernelThroughTheHookMatchesTheConstruction() throws {
        var generator = InstanceGenerator(seed: 3)
        for problem in [HardnessProblem.ov, .bichromaticMaxIP, .lsd] {
            for planted in [PlantedAnswer.yes, .no] {
                let instance = try generator.generate(problem, setSize: 9, planted: planted)
                let construction = try PairConstruction(instance)
                let hooked = try construction.run(attention: MixerAttention(kind: .exact, budget: 0, seed: 0).callAsFunction)
                #expect(hooked.answer == (planted == .yes), "\(problem) \(planted)")
            }
        }
        let instance = try generator.generate(.threeOV, setSize: 9, planted: .yes, thirdSetSize: 2)
        let construction = try ThreeOVConstruction(instance, layers: 1, heads: 2)
        let hooked = try construction.run(attention: MixerAttention(kind: .window, budget: 10, seed: 0).callAsFunction)
        #expect(try hooked.answer && construction.run(precision: .float32).answer)
    }

    @Test func rotationAndPaddingAreUndone() throws {
        let x = Tensor<Float>(shape: [1, 3, 2], elements: [1, 2, 3, 4, 5, 6])
        #expect(MixerAttention.rows(x, [2, 0, 1]).elements == [5, 6, 1, 2, 3, 4])
        #expect(MixerAttention.rows(x, [0, 1, 2, -1]).elements == [1, 2, 3, 4, 5, 6, 0, 0])
    }

    @Test func selfMaskingProblemsAreRefused() {
        #expect(throws: ExperimentError.self) {
            try MixerHardnessExperiment(configuration: MixerHardnessConfiguration(problems: [.maxIP]))
        }
    }

    @Test func cliPrintsClaimsAndTheAccuracyList() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try Attnlab.run(["experiment", "mixer-hardness", "--problems", "ov", "--set-sizes", "8", "--mixers", "exact,linear",
                                   "--instances", "1", "--db", directory.path("m.sqlite"), "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let accuracy = json?["accuracy"] as? [[String: Any]]
        #expect(accuracy?.count == 2)
        #expect(accuracy?.allSatisfy { Set($0.keys) == ["mixer", "problem", "n", "budget", "accuracy", "seconds"] } == true)
        #expect((json?["claims"] as? [[String: Any]])?.isEmpty == false)
    }
}
