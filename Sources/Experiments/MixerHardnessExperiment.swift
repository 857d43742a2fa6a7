import Foundation
import Hardness
import Kernels
import Mixers

/// What a cheaper mixer loses on the hardness constructions (Alman & Yu; Saha et al.; SCIENCE.md §1–2): each
/// mixer replaces exact softmax inside the OV, Max-IP_t, MSD_t/LSD_t and 3-OV constructions
/// (`AttentionKernel`) — same tokens, weights, scale 1 and read-out — on seeded planted yes/no instances.
/// Claims: exact attention answers every instance; each sub-quadratic mixer at a budget ≤ √N falls toward
/// chance (accuracy ≤ 0.75 at the largest n); the budget a mixer needs for 99% makes its time grow with an
/// exponent ≥ 2 ("not reached" when no budget gets there).
///
/// Adaptations, all outside the construction: causal-only mixers (window, GLA, RetNet) see the tokens in
/// reverse order, so every row read (A) sees the extra token and all of B (exact attention is unchanged by
/// the permutation; causality still hides from a_i the tokens of A before it, which 3-OV pairs need);
/// Nyström's keys get zero rows appended up to a multiple of the landmarks (a zero key scores 0 with value
/// 0, like the extra token). `mamba` is no Q/K/V mixer (it mixes the token matrix X through its own learnt
/// projections, with no place for the construction's W_Q, W_K) and is not in the sweep.
public struct MixerHardnessExperiment: Experiment {
    public static let name = "mixer-hardness"
    public static let title = "Mixers in place of exact attention on the hardness constructions"
    public static let warmsUpFirstPoint = false

    public let configuration: MixerHardnessConfiguration

    public init(configuration: MixerHardnessConfiguration) throws(ExperimentError) {
        let c = configuration
        guard !c.problems.isEmpty else { throw .invalidOption("problems needs at least one value") }
        try OptionCheck.distinct(c.problems, "problems")
        if let bad = c.problems.first(where: { $0.isMonochromatic && $0.comparison == .atLeast }) {
            throw .invalidOption("\(bad.rawValue) masks each token from itself, which only exact attention can; use bichromatic-\(bad.rawValue)")
        }
        try OptionCheck.sizes(c.setSizes, "set sizes (n)")
        try OptionCheck.distinct(c.setSizes, "set sizes (n)")
        if let bad = c.setSizes.first(where: { $0 < 4 || $0 > 1 << 14 }) {
            throw .invalidOption("set sizes (n) must be in 4…16384, got \(bad)")
        }
        guard !c.mixers.isEmpty else { throw .invalidOption("mixers needs at least one value") }
        try OptionCheck.distinct(c.mixers, "mixers")
        try OptionCheck.sizes(c.budgets, "budgets")
        try OptionCheck.distinct(c.budgets, "budgets")
        if let bad = c.budgets.first(where: { $0 > MixerDescription.largestFeatureCount }) {
            throw .invalidOption("budgets must be at most \(MixerDescription.largestFeatureCount), got \(bad)")
        }
        guard (1...64).contains(c.instances) else { throw .invalidOption("instances must be in 1…64, got \(c.instances)") }
        guard (1...16).contains(c.thirdSetSize) else { throw .invalidOption("|C| (3-OV heads) must be in 1…16, got \(c.thirdSetSize)") }
        try c.settings.validate()
        self.configuration = c
    }

    /// Tokens of the construction for `problem` at n: n + 1, 2n + 1 (bichromatic), n + 1 (3-OV).
    static func tokenCount(_ problem: HardnessProblem, n: Int) -> Int {
        problem.setCount == 2 ? 2 * n + 1 : n + 1
    }

    /// Problem, n growing, mixer, budget growing: the budgets below the token count N, then N itself (the
    /// quadratic end, where a window is exact attention), so the search for a 99% budget always has an end —
    /// except for Nyström, whose m³ pseudo-inverse makes m = N cubic.
    public var points: [MixerHardnessPoint] {
        let c = configuration
        return c.problems.flatMap { problem in
            c.setSizes.flatMap { n in
                c.mixers.flatMap { mixer in
                    let tokens = Self.tokenCount(problem, n: n)
                    let quadraticEnd = mixer == .nystrom ? [] : [tokens]
                    return (mixer.hasBudget ? c.budgets.sorted().filter { $0 < tokens } + quadraticEnd : [0])
                        .map { MixerHardnessPoint(problem: problem, n: n, mixer: mixer, budget: $0) }
                }
            }
        }
    }

    public func describe(_ point: MixerHardnessPoint) -> String {
        "\(point.problem.rawValue) n=\(point.n) \(point.mixer.rawValue)\(point.budget > 0 ? " budget=\(point.budget)" : "")"
    }

    /// The seeded instances of (problem, n): `instances` planted yes, then as many planted no.
    func instances(_ problem: HardnessProblem, n: Int) throws -> [HardnessInstance] {
        let c = configuration
        var generator = InstanceGenerator(seed: c.seed &* 7919 &+ UInt64(n) &* 31 &+ UInt64(HardnessProblem.allCases.firstIndex(of: problem)!))
        return try [PlantedAnswer.yes, .no].flatMap { planted in
            try (0..<c.instances).map { _ in
                try generator.generate(problem, setSize: n, planted: planted, thirdSetSize: c.thirdSetSize)
            }
        }
    }

    /// Runs every instance of the point with its mixer in the construction.
    public func measure(_ point: MixerHardnessPoint, peakGFLOPS: Double?) throws -> MixerHardnessValues {
        var (correct, seconds, mixerSeconds) = (0, 0.0, 0.0)
        let all = try instances(point.problem, n: point.n)
        let mixer = MixerAttention(kind: point.mixer, budget: point.budget, seed: configuration.seed).reusingKernel()
        let kernel: AttentionKernel = { q, k, v in
            let start = monotonicSeconds()
            defer { mixerSeconds += monotonicSeconds() - start }
            return try mixer(q, k, v)
        }
        for (index, instance) in all.enumerated() {
            let result: ConstructionResult
            if point.problem == .threeOV {
                result = try ThreeOVConstruction(instance, layers: 1, heads: configuration.thirdSetSize).run(attention: kernel)
            } else {
                result = try PairConstruction(instance).run(attention: kernel)
            }
            if result.answer == (index < configuration.instances) { correct += 1 }
            seconds += result.seconds
        }
        let runs = Double(all.count)
        return MixerHardnessValues(correct: correct, instances: all.count, seconds: seconds / runs,
                                   mixerSeconds: mixerSeconds / runs)
    }

    public func analyse(_ results: [ExperimentResult<MixerHardnessPoint, MixerHardnessValues>]) -> ExperimentAnalysis {
        MixerHardnessAnalysis(configuration: configuration, results: results).analysis()
    }
}
