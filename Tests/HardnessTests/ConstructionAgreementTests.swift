import Foundation
import Hardness
import Kernels
import Testing

/// The constructions' transformers against brute force on random planted instances.
@Suite("Construction transformers agree with brute force")
struct ConstructionAgreementTests {
    /// Instances per problem: 11 problems × 190 = 2090 in all, plus one n = 2000 instance per problem.
    static let instancesPerProblem = 190

    @Test("every answer matches brute force, fired rows belong to witnesses, margins stay near their exact bound",
          arguments: HardnessProblem.allCases)
    func agreement(problem: HardnessProblem) throws {
        let index = UInt64(HardnessProblem.allCases.firstIndex(of: problem)!)
        var generator = InstanceGenerator(seed: 900 + index)
        var random = SeededGenerator(seed: 300 + index)
        var answers = [false: 0, true: 0]
        for round in 0..<Self.instancesPerProblem {
            let planted: PlantedAnswer = round % 2 == 0 ? .yes : .no
            let n = round % 19 == 18 ? Int.random(in: 20...120, using: &random) : Int.random(in: 2...12, using: &random)
            let instance = try Self.randomInstance(problem, n: n, planted: planted, generator: &generator, random: &random)
            let result = try Self.check(instance)
            #expect(result == (planted == .yes))
            answers[result, default: 0] += 1
        }
        #expect(answers[true]! > 0 && answers[false]! > 0)
    }

    @Test("n = 2000 (3-OV: N = 2000, |C| = 4), planted yes and no", arguments: HardnessProblem.allCases)
    func largeInstance(problem: HardnessProblem) throws {
        let index = UInt64(HardnessProblem.allCases.firstIndex(of: problem)!)
        var generator = InstanceGenerator(seed: 4000 + index)
        var random = SeededGenerator(seed: 5000 + index)
        let planted: PlantedAnswer = index % 2 == 0 ? .yes : .no
        let instance = try Self.randomInstance(problem, n: 2000, planted: planted, generator: &generator, random: &random)
        #expect(try Self.check(instance) == (planted == .yes))
    }

    /// A planted instance of `problem` with n vectors per set, at a random density and dimension; thresholds
    /// either given (inner products) or chosen by the generator so the optimum sits half a gap from t.
    static func randomInstance(_ problem: HardnessProblem, n: Int, planted: PlantedAnswer,
                               generator: inout InstanceGenerator, random: inout SeededGenerator) throws -> HardnessInstance {
        let dimension: Int?
        let density: Double
        var threshold: Double?
        switch problem.score {
        case .cosine:
            // MSD "no" redraws rows until no pair is too similar, which needs room: d ≥ 12.
            dimension = problem.comparison == .atLeast ? Int.random(in: 12...20, using: &random) : nil
            density = [0.3, 0.5, 0.7].randomElement(using: &random)!
        case .innerProduct:
            dimension = [nil, 8, 16].randomElement(using: &random)!
            density = [0.2, 0.35, 0.5, 0.7].randomElement(using: &random)!
            let d = dimension ?? InstanceGenerator.defaultDimension(setSize: n)
            if problem.needsThreshold && Bool.random(using: &random) {
                threshold = Double(Int.random(in: 1...(d - 1), using: &random))
            }
        case .tripleProduct:
            dimension = n > 100 ? 24 : nil
            density = [0.5, 0.6, 0.75].randomElement(using: &random)!
        }
        let cSize = n > 100 ? 4 : Int.random(in: 1...6, using: &random)
        return try generator.generate(problem, setSize: n, dimension: dimension, planted: planted, density: density,
                                      threshold: threshold, thirdSetSize: cSize, verify: false)
    }

    /// Solves `instance` with its construction in the default precision and with brute force; expects the
    /// same answer, fired rows that are the first vector of a witness, and a margin of at least 0.25.
    /// Returns the answer.
    static func check(_ instance: HardnessInstance) throws -> Bool {
        let expected = try BruteForce.solve(instance)
        let result = try HardnessConstruction.solve(instance)
        let label = "\(instance.problem.rawValue) n \(instance.a.rows) d \(instance.dimension) "
            + "t \(instance.threshold.map { "\($0)" } ?? "-") \(result.precision.rawValue)"
        #expect(result.answer == expected.answer, "\(label): transformer \(result.answer), brute force \(expected.answer)")
        #expect(result.margin >= 0.25, "\(label): margin \(result.margin)")
        #expect((result.witness != nil) == result.answer, "\(label)")
        for row in result.witness?.prefix(3) ?? [] {
            #expect(isWitnessRow(instance, row), "\(label): row \(row) fired without a witness")
        }
        return result.answer
    }

    /// Whether vector `row` of A is the first vector of some witness.
    static func isWitnessRow(_ instance: HardnessInstance, _ row: Int) -> Bool {
        let problem = instance.problem, a = instance.a, right = instance.b ?? instance.a
        if problem == .threeOV {
            let b = instance.b!, c = instance.c!
            return (0..<b.rows).contains { j in
                (0..<c.rows).contains { a.tripleProduct(row: row, with: b, row: j, and: c, row: $0) == 0 }
            }
        }
        let t = instance.threshold ?? 0
        return (0..<right.rows).contains { j in
            guard !(problem.isMonochromatic && j == row) else { return false }
            let ip = a.innerProduct(row: row, with: right, row: j)
            let sign = problem.score == .cosine
                ? Cosine(innerProduct: ip, normProduct: a.popcount(row: row) * right.popcount(row: j)).compare(to: t)
                : (Double(ip) < t ? -1 : (Double(ip) > t ? 1 : 0))
            return problem.comparison == .atLeast ? sign >= 0 : sign <= 0
        }
    }
}
