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

    /// A point's instances share one mixer (its random draws made once); the answers are those of a mixer
    /// made per call, bit for bit, also when the head dimension changes between calls.
    @Test func reusedMixerGivesTheSameOutputsAsOnePerCall() throws {
        for (kind, budget) in [(MixerKind.linformer, 4), (.performer, 8), (.window, 3), (.nystrom, 4)] {
            let attention = MixerAttention(kind: kind, budget: budget, seed: 5)
            let reused = attention.reusingKernel()
            for (n, d) in [(8, 3), (8, 3), (12, 5)] {
                let (q, k, v) = (Tensor<Float>.normal([1, n, d], seed: 1), Tensor<Float>.normal([1, n, d], seed: 2),
                                 Tensor<Float>.normal([1, n, d], seed: 3))
                #expect(try reused(q, k, v).elements == attention(q, k, v).elements, "\(kind) n=\(n) d=\(d)")
            }
        }
    }

    @Test func rotationAndPaddingAreUndone() throws {
        let x = Tensor<Float>(shape: [1, 3, 2], elements: [1, 2, 3, 4, 5, 6])
        #expect(MixerAttention.rows(x, [2, 0, 1]).elements == [5, 6, 1, 2, 3, 4])
        #expect(MixerAttention.rows(x, [0, 1, 2, -1]).elements == [1, 2, 3, 4, 5, 6, 0, 0])
    }

    /// The budget claim fits the mixer's own time over n ≥ n_max/8: small n with flat fixed costs do not
    /// pull the exponent down, and the note keeps the fit over every n.
    @Test func budgetClaimFitsTheMixerTimeOverTheTopOctaves() throws {
        let sizes = [8, 16, 32, 64, 128, 256]
        let configuration = MixerHardnessConfiguration(problems: [.ov], setSizes: sizes, mixers: [.window], budgets: [4])
        let results = sizes.map { n in
            // A flat 1 s up to n = 16, then n^2.2; the whole-run time is linear in n.
            let mixerSeconds = n <= 16 ? 1 : pow(Double(n), 2.2) / 256
            return ExperimentResult(point: MixerHardnessPoint(problem: .ov, n: n, mixer: .window, budget: 2 * n + 1),
                                    values: MixerHardnessValues(correct: 8, instances: 8, seconds: Double(n),
                                                                mixerSeconds: mixerSeconds))
        }
        let claim = MixerHardnessAnalysis(configuration: configuration, results: results).budgetClaim(.window)
        #expect(abs(claim.measured - 2.2) < 1e-9)
        #expect(claim.verdict == .supported)
        #expect(claim.note.contains("over every n: exponent"))
    }

    @Test func resultsStoredWithoutMixerTimeReadBackWithTheRunTime() throws {
        let old = try JSONDecoder().decode(MixerHardnessValues.self, from: Data(#"{"correct":3,"instances":4,"seconds":0.5}"#.utf8))
        #expect(old == MixerHardnessValues(correct: 3, instances: 4, seconds: 0.5, mixerSeconds: 0.5))
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
        #expect(accuracy?.allSatisfy { Set($0.keys) == ["mixer", "problem", "n", "budget", "accuracy", "seconds", "mixer_seconds"] } == true)
        #expect((json?["claims"] as? [[String: Any]])?.isEmpty == false)
    }
}
