import Foundation
import Hardness
import Kernels
import Testing

@Suite("Brute-force solvers against the naive reference")
struct BruteForceTests {
    static let dimensions = [1, 7, 63, 64, 65, 130]
    static let densities = [0.05, 0.2, 0.5, 0.8, 0.95]

    /// n from 2 to 200, mostly small (3-OV: up to 40, |C| up to 8).
    static func randomShape(_ problem: HardnessProblem, using random: inout SeededGenerator)
        -> (n: Int, d: Int, density: Double, cSize: Int) {
        let largest = problem == .threeOV ? 40.0 : 200.0
        let n = max(2, Int(2 * pow(largest / 2, random.nextUnit())))
        return (n, dimensions.randomElement(using: &random)!, densities.randomElement(using: &random)!,
                Int.random(in: 1...8, using: &random))
    }

    /// A threshold for the instance and the reference's witness test for it. Cosine thresholds are either
    /// a grid value j/64 (exact in binary, so cos ≥ j/64 ⟺ 4096·ip² ≥ j²·P) or a tie: the exact cosine
    /// c* of a random pair rounded down (MSD) or up (LSD), which accepts exactly the pairs with cos ≥ c*
    /// (≤ c*), since no other cosine at these dimensions lies within an ulp of c*.
    static func threshold(for instance: HardnessInstance, using random: inout SeededGenerator)
        -> (t: Double?, isWitness: (Reference.Candidate) -> Bool) {
        let problem = instance.problem
        let atLeast = problem.comparison == .atLeast
        switch problem.score {
        case .tripleProduct:
            return (nil, { $0.product == 0 })
        case .innerProduct:
            let t = problem.needsThreshold ? Int.random(in: 0...instance.dimension, using: &random) : 0
            return (problem.needsThreshold ? Double(t) : nil, { atLeast ? $0.product >= t : $0.product <= t })
        case .cosine:
            if Bool.random(using: &random) {
                let j = Int.random(in: 0...64, using: &random)
                return (Double(j) / 64, { candidate in
                    let difference = 4096 * candidate.product * candidate.product - j * j * candidate.normProduct
                    return atLeast ? difference >= 0 : difference <= 0
                })
            }
            let tie = Reference.candidates(instance).randomElement(using: &random)!
            let cosine = Cosine(innerProduct: tie.product, normProduct: tie.normProduct)
            return (atLeast ? cosine.roundedDown : cosine.roundedUp, { candidate in
                let difference = candidate.product * candidate.product * tie.normProduct
                    - tie.product * tie.product * candidate.normProduct
                return atLeast ? difference >= 0 : difference <= 0
            })
        }
    }

    @Test("decision answers, first witnesses and their values match the reference", arguments: HardnessProblem.allCases)
    func decisionsMatchReference(problem: HardnessProblem) throws {
        var random = SeededGenerator(seed: 1000 + UInt64(HardnessProblem.allCases.firstIndex(of: problem)!))
        var answers = Set<Bool>()
        for _ in 0..<150 {
            let shape = Self.randomShape(problem, using: &random)
            var instance = randomInstance(problem, n: shape.n, d: shape.d, density: shape.density,
                                          cSize: shape.cSize, using: &random)
            let (t, isWitness) = Self.threshold(for: instance, using: &random)
            instance.threshold = t
            let expected = Reference.firstWitness(instance, isWitness)
            let result = try BruteForce.solve(instance)
            #expect(result.answer == (expected != nil), "n \(shape.n), d \(shape.d), t \(String(describing: t))")
            #expect(result.witness == expected?.witness)
            #expect(result.value == expected.map { Reference.value($0, problem) })
            answers.insert(result.answer)
        }
        #expect(answers == [true, false], "the random instances should include both answers")
    }

    @Test("optimum scores and first optimal witnesses match the reference", arguments: HardnessProblem.allCases)
    func optimaMatchReference(problem: HardnessProblem) throws {
        var random = SeededGenerator(seed: 2000 + UInt64(HardnessProblem.allCases.firstIndex(of: problem)!))
        for _ in 0..<60 {
            let shape = Self.randomShape(problem, using: &random)
            let instance = randomInstance(problem, n: shape.n, d: shape.d, density: shape.density,
                                          cSize: shape.cSize, using: &random)
            let expected = Reference.optimum(instance)
            let optimum = try BruteForce.optimum(instance)
            #expect(optimum.witness == expected.witness, "n \(shape.n), d \(shape.d), p \(shape.density)")
            #expect(optimum.product == expected.product)
            #expect(optimum.value == Reference.value(expected, problem))
            if problem.score == .cosine {
                #expect(optimum.cosine == Cosine(innerProduct: expected.product, normProduct: expected.normProduct))
            }
        }
    }

    @Test("one thread and two threads give the same result", arguments: [HardnessProblem.ov, .maxIP, .bichromaticMSD, .threeOV])
    func threadCountDoesNotMatter(problem: HardnessProblem) throws {
        var random = SeededGenerator(seed: 3000)
        for density in [0.3, 0.7] {
            var instance = randomInstance(problem, n: problem == .threeOV ? 300 : 1500, d: 24, density: density,
                                          cSize: 16, using: &random)
            instance.threshold = problem == .maxIP ? 12 : (problem == .bichromaticMSD ? 0.9 : nil)
            #expect(try BruteForce.solve(instance, threads: 1) == BruteForce.solve(instance, threads: 2))
            #expect(try BruteForce.optimum(instance, threads: 1) == BruteForce.optimum(instance, threads: 2))
        }
    }

    @Test("the solvers validate the instance first")
    func solversValidate() {
        let instance = HardnessInstance(problem: .maxIP, a: BinaryMatrix(rows: 3, columns: 4), threshold: 5)
        #expect(throws: HardnessError.thresholdOutOfRange(problem: .maxIP, threshold: 5,
                                                          allowed: "an integer in 0…4 (the dimension)")) {
            try BruteForce.solve(instance)
        }
        let lonely = HardnessInstance(problem: .ov, a: BinaryMatrix(rows: 1, columns: 4))
        #expect(throws: HardnessError.tooFewVectors(set: "A", count: 1)) { try BruteForce.optimum(lonely) }
    }
}
