import Hardness
import Kernels
import Testing

@Suite("Seeded generators with planted answers")
struct InstanceGeneratorTests {
    /// The reference's answer: is there a witness of the instance's own problem and threshold?
    static func referenceAnswer(_ instance: HardnessInstance) -> Bool {
        let problem = instance.problem
        let t = instance.threshold ?? 0
        return Reference.firstWitness(instance) { candidate in
            let score = problem.score == .cosine
                ? Cosine(innerProduct: candidate.product, normProduct: candidate.normProduct).compare(to: t)
                : (Double(candidate.product) < t ? -1 : (Double(candidate.product) > t ? 1 : 0))
            return problem.comparison == .atLeast ? score >= 0 : score <= 0
        } != nil
    }

    @Test("planted yes and no always hold, with and without a given threshold",
          arguments: HardnessProblem.allCases)
    func plantedAnswersHold(problem: HardnessProblem) throws {
        var generator = InstanceGenerator(seed: 5 + UInt64(HardnessProblem.allCases.firstIndex(of: problem)!))
        var random = SeededGenerator(seed: 77)
        for round in 0..<40 {
            let n = Int.random(in: 2...(problem == .threeOV ? 30 : 60), using: &random)
            let givenThreshold = round % 2 == 0 && problem.needsThreshold
            // Cosine "no" with a given t, and MSD "no" (no identical rows), redraw rows, which needs room:
            // d ≥ 16 and a moderate density.
            let redraws = problem.score == .cosine && (givenThreshold || problem.comparison == .atLeast)
            let d = redraws ? [16, 65].randomElement(using: &random)! : [nil, 1, 5, 16, 65].randomElement(using: &random)!
            let density = redraws ? 0.5 : [0.1, 0.3, 0.5, 0.7, 0.9].randomElement(using: &random)!
            let dimension = d ?? InstanceGenerator.defaultDimension(setSize: n)
            for planted in [PlantedAnswer.yes, .no] {
                let threshold = Self.possibleThreshold(problem, planted: planted, dimension: dimension,
                                                       given: givenThreshold, using: &random)
                let instance = try generator.generate(problem, setSize: n, dimension: d, planted: planted,
                                                      density: density, threshold: threshold,
                                                      thirdSetSize: Int.random(in: 1...6, using: &random),
                                                      verify: false)
                try instance.validate()
                #expect(instance.a.rows == n && instance.dimension == dimension)
                if let t = threshold { #expect(instance.threshold == t) }
                #expect(Self.referenceAnswer(instance) == (planted == .yes),
                        "\(planted) n \(n) d \(dimension) p \(density) t \(String(describing: instance.threshold))")
            }
        }
    }

    /// A threshold for which `planted` is possible at `dimension` (nil when not `given` or not needed).
    static func possibleThreshold(_ problem: HardnessProblem, planted: PlantedAnswer, dimension d: Int,
                                  given: Bool, using random: inout SeededGenerator) -> Double? {
        guard given, problem.needsThreshold else { return nil }
        let atLeast = problem.comparison == .atLeast
        if problem.score == .innerProduct {
            let range = planted == .yes ? 0...d : (atLeast ? 1...d : 0...(d - 1))
            return Double(Int.random(in: range, using: &random))
        }
        // Cosine "no" needs room: MSD t near 1 (few pairs reach it), LSD t near 0 (few pairs below it).
        switch (planted, atLeast) {
        case (.yes, _): return d == 1 && !atLeast ? 1 : random.nextUnit()
        case (_, true): return 0.9 + 0.1 * random.nextUnit()
        case (_, false): return d == 1 ? 0.5 : 0.1 * random.nextUnit()
        }
    }

    @Test("the same seed gives the same instances; the default dimension is max(4, ⌈2·log2 n⌉)")
    func determinism() throws {
        var first = InstanceGenerator(seed: 42), second = InstanceGenerator(seed: 42)
        for problem in HardnessProblem.allCases {
            for planted in PlantedAnswer.allCases {
                let x = try first.generate(problem, setSize: 20, planted: planted)
                #expect(x == (try second.generate(problem, setSize: 20, planted: planted)))
                #expect(x.dimension == 9)
            }
        }
        #expect(try first.generate(.ov, setSize: 20) != (try first.generate(.ov, setSize: 20)))
        #expect(InstanceGenerator.defaultDimension(setSize: 4096) == 24)
        #expect(InstanceGenerator.defaultDimension(setSize: 2) == 4)
        #expect(InstanceGenerator.defaultDimension(setSize: 1000) == 20)
    }

    @Test("a 3-OV no-instance at N = 512, d = 24, |C| = 16 holds at high density")
    func largeThreeOVNoInstance() throws {
        var generator = InstanceGenerator(seed: 9)
        let instance = try generator.generate(.threeOV, setSize: 512, planted: .no, density: 0.85, thirdSetSize: 16)
        try instance.validate(layers: 4, heads: 4)
        #expect(try BruteForce.solve(instance).answer == false)
        let yes = try generator.generate(.threeOV, setSize: 512, planted: .yes, density: 0.85, thirdSetSize: 16)
        #expect(try BruteForce.solve(yes).answer == true)
    }

    @Test("impossible requests and bad parameters are rejected")
    func impossibleRequests() {
        var generator = InstanceGenerator(seed: 1)
        func rejects(_ problem: HardnessProblem, n: Int = 10, d: Int? = 8, planted: PlantedAnswer = .no,
                     density: Double = 0.5, t: Double? = nil, cSize: Int = 1) -> HardnessError? {
            do {
                _ = try generator.generate(problem, setSize: n, dimension: d, planted: planted, density: density,
                                           threshold: t, thirdSetSize: cSize)
                return nil
            } catch {
                return error as? HardnessError
            }
        }
        let cannotPlant: (HardnessError?) -> Bool = { if case .cannotPlant = $0 { true } else { false } }
        let badParameter: (HardnessError?) -> Bool = {
            if case .invalidGeneratorParameter = $0 { true } else { false }
        }
        #expect(cannotPlant(rejects(.maxIP, t: 0)))
        #expect(cannotPlant(rejects(.bichromaticMinIP, t: 8)))
        #expect(cannotPlant(rejects(.msd, t: 0)))
        #expect(cannotPlant(rejects(.lsd, t: 1)))
        #expect(cannotPlant(rejects(.lsd, d: 1, planted: .yes, t: 0.5)))
        #expect(cannotPlant(rejects(.msd, n: 40, d: 3, t: 1)), "40 distinct non-zero vectors do not fit in d = 3")
        #expect(badParameter(rejects(.ov, n: 1)))
        #expect(badParameter(rejects(.bichromaticOV, n: 0)))
        #expect(badParameter(rejects(.ov, d: 0)))
        #expect(badParameter(rejects(.ov, density: 1.5)))
        #expect(badParameter(rejects(.threeOV, cSize: 0)))
        #expect(rejects(.ov, t: 1) == .unexpectedThreshold(problem: .ov))
        #expect(rejects(.maxIP, t: 9) == .thresholdOutOfRange(problem: .maxIP, threshold: 9,
                                                              allowed: "an integer in 0…8 (the dimension)"))
    }
}
