import Foundation
import Hardness
import Kernels
import Testing

@Suite("Construction transformers: diagonal, shapes, precisions, errors, optimum")
struct ConstructionTests {
    static func matrix(_ rows: [[Int]]) throws -> BinaryMatrix { try BinaryMatrix(validating: rows) }

    static func answer(_ problem: HardnessProblem, _ a: [[Int]], _ b: [[Int]]? = nil, threshold: Double? = nil,
                       precision: ConstructionPrecision? = nil) throws -> Bool {
        let instance = HardnessInstance(problem: problem, a: try matrix(a), b: try b.map(matrix), threshold: threshold)
        let result = try HardnessConstruction.solve(instance, precision: precision)
        #expect(result.answer == (try BruteForce.solve(instance).answer), "\(problem.rawValue) \(a)")
        return result.answer
    }

    @Test("the diagonal i = j never counts: Max-IP and MSD mask it, OV/Min-IP/LSD need no mask",
          arguments: ConstructionPrecision.allCases)
    func diagonal(precision: ConstructionPrecision) throws {
        // ⟨a_0, a_0⟩ = 4 ≥ 3 but the only pair has ⟨a_0, a_1⟩ = 1.
        #expect(try !Self.answer(.maxIP, [[1, 1, 1, 1], [0, 0, 0, 1]], threshold: 3, precision: precision))
        #expect(try Self.answer(.maxIP, [[1, 1, 1, 1], [0, 1, 1, 1]], threshold: 3, precision: precision))
        // cos(a, a) = 1 ≥ t always; distinct orthogonal rows have cos 0; duplicates have cos 1.
        #expect(try !Self.answer(.msd, [[1, 0, 0, 0], [0, 1, 0, 0]], threshold: 0.5, precision: precision))
        #expect(try Self.answer(.msd, [[1, 1, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0]], threshold: 1, precision: precision))
        // A zero vector is orthogonal to every other row, itself included: always a witness for n ≥ 2.
        #expect(try Self.answer(.ov, [[0, 0, 0], [1, 1, 1]], precision: precision))
        #expect(try Self.answer(.ov, [[0, 0, 0], [0, 0, 0]], precision: precision))
        #expect(try !Self.answer(.ov, [[1, 1, 0], [0, 1, 1], [1, 0, 1]], precision: precision))
        // ‖a_0‖² = 1 ≤ t = 1 makes every pair with a_0 a witness.
        #expect(try Self.answer(.minIP, [[1, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1]], threshold: 1, precision: precision))
        #expect(try !Self.answer(.minIP, [[1, 1, 0, 0], [1, 1, 1, 1], [1, 1, 1, 0]], threshold: 1, precision: precision))
        // LSD at t = 1: every pair; below 1 the diagonal (cos 1) must not fire.
        #expect(try Self.answer(.lsd, [[1, 0], [1, 0]], threshold: 1, precision: precision))
        #expect(try !Self.answer(.lsd, [[1, 0], [1, 0]], threshold: 0.99, precision: precision))
    }

    @Test("bichromatic problems pair A only with B", arguments: ConstructionPrecision.allCases)
    func bichromatic(precision: ConstructionPrecision) throws {
        // A's two rows are orthogonal to each other, but no row of A is orthogonal to B's.
        #expect(try !Self.answer(.bichromaticOV, [[1, 0, 0], [0, 1, 0]], [[1, 1, 0]], precision: precision))
        #expect(try Self.answer(.bichromaticOV, [[1, 0, 0], [0, 1, 0]], [[1, 0, 1]], precision: precision))
        // Identical rows within A (cos 1, ip 3) do not make a Max-IP or MSD witness.
        #expect(try !Self.answer(.bichromaticMaxIP, [[1, 1, 1], [1, 1, 1]], [[1, 0, 0]], threshold: 2, precision: precision))
        #expect(try !Self.answer(.bichromaticMSD, [[1, 1, 0], [1, 1, 0]], [[0, 0, 1]], threshold: 0.1, precision: precision))
        #expect(try Self.answer(.bichromaticLSD, [[1, 1, 0], [1, 1, 0]], [[0, 1, 1]], threshold: 0.5, precision: precision))
    }

    @Test("model shapes: N tokens, 1 × 1 with m = d + 2 (one set) or d + 3; 3-OV N + 1 tokens, L × H, m = 2d + 3")
    func shapes() throws {
        var generator = InstanceGenerator(seed: 3)
        let ov = try generator.generate(.ov, setSize: 10, dimension: 7, planted: .yes)
        #expect(try HardnessConstruction.solve(ov).model == ModelShape(tokens: 11, layers: 1, heads: 1, embedding: 9))
        let msd = try generator.generate(.bichromaticMSD, setSize: 10, dimension: 7, planted: .yes)
        #expect(try HardnessConstruction.solve(msd).model == ModelShape(tokens: 21, layers: 1, heads: 1, embedding: 10))
        let threeOV = try generator.generate(.threeOV, setSize: 12, dimension: 6, planted: .yes, thirdSetSize: 6)
        #expect(try HardnessConstruction.solve(threeOV).model == ModelShape(tokens: 13, layers: 1, heads: 6, embedding: 15))
        #expect(try HardnessConstruction.solve(threeOV, layers: 2).model.heads == 3)
        #expect(try HardnessConstruction.solve(threeOV, heads: 2).model.layers == 3)
    }

    @Test("3-OV with several layers: every L × H = |C| split agrees with brute force, in fp32 and fp64")
    func threeOVLayers() throws {
        var generator = InstanceGenerator(seed: 11)
        for round in 0..<12 {
            let instance = try generator.generate(.threeOV, setSize: 24, dimension: 10, planted: round % 2 == 0 ? .yes : .no,
                                                  density: 0.6, thirdSetSize: 6)
            let expected = try BruteForce.solve(instance).answer
            for (layers, heads) in [(1, 6), (2, 3), (3, 2), (6, 1)] {
                for precision in ConstructionPrecision.allCases {
                    let result = try HardnessConstruction.solve(instance, layers: layers, heads: heads, precision: precision)
                    #expect(result.answer == expected && result.margin > 0.3, "\(layers) × \(heads) \(precision)")
                }
            }
        }
    }

    @Test("float32 and float64 runs give the same answers, fired rows and margins within 1e-3")
    func precisionsAgree() throws {
        var generator = InstanceGenerator(seed: 21)
        for problem in HardnessProblem.allCases {
            for planted in [PlantedAnswer.yes, .no] {
                let instance = try generator.generate(problem, setSize: 30, dimension: problem.score == .cosine ? 14 : 10,
                                                      planted: planted, thirdSetSize: 3)
                let single = try HardnessConstruction.solve(instance, precision: .float32)
                let double = try HardnessConstruction.solve(instance, precision: .float64)
                #expect(single.answer == double.answer && single.witness == double.witness, "\(problem.rawValue)")
                #expect(abs(single.margin - double.margin) < 1e-3, "\(problem.rawValue)")
                #expect(single.precision == .float32 && double.precision == .float64)
            }
        }
    }

    @Test("invalid requests: model shape on pair problems, |C| ≠ L·H, dimensions beyond the kernel, 3-OV optimum")
    func errors() throws {
        var generator = InstanceGenerator(seed: 5)
        let maxIP = try generator.generate(.maxIP, setSize: 6, dimension: 8, planted: .yes)
        #expect(throws: HardnessError.modelShapeNotApplicable(problem: .maxIP)) {
            try HardnessConstruction.solve(maxIP, layers: 1, heads: 1)
        }
        let threeOV = try generator.generate(.threeOV, setSize: 6, dimension: 8, planted: .yes, thirdSetSize: 4)
        #expect(throws: HardnessError.headCountMismatch(setSize: 4, layers: 3, heads: 1)) {
            try HardnessConstruction.solve(threeOV, layers: 3)
        }
        #expect(throws: ConstructionError.noOptimisationForm(problem: .threeOV)) {
            try HardnessConstruction.optimum(threeOV)
        }
        let wide = try generator.generate(.threeOV, setSize: 3, dimension: 127, planted: .yes)
        #expect(throws: ConstructionError.dimensionTooLarge(problem: .threeOV, dimension: 127, limit: 126)) {
            try HardnessConstruction.solve(wide)
        }
        let widePairs = try generator.generate(.bichromaticMinIP, setSize: 3, dimension: 254, planted: .yes, threshold: 3)
        #expect(throws: ConstructionError.dimensionTooLarge(problem: .bichromaticMinIP, dimension: 254, limit: 253)) {
            try HardnessConstruction.solve(widePairs)
        }
        let invalid = HardnessInstance(problem: .msd, a: try Self.matrix([[1, 0], [0, 0]]), threshold: 0.5)
        #expect(throws: HardnessError.zeroVector(set: "A", row: 1)) { try HardnessConstruction.solve(invalid) }
    }

    @Test("the optimum by binary search over the decision transformer equals brute force",
          arguments: HardnessProblem.allCases.filter { $0 != .threeOV })
    func optimum(problem: HardnessProblem) throws {
        var generator = InstanceGenerator(seed: 31)
        let decisionProblem: HardnessProblem = problem == .ov ? .minIP : (problem == .bichromaticOV ? .bichromaticMinIP : problem)
        let searchLength = candidateThresholds(for: decisionProblem, dimension: 9).count
        for _ in 0..<4 {
            let instance = try generator.generate(problem, setSize: 16, dimension: 9, planted: .random, density: 0.4)
            let expected = try BruteForce.optimum(HardnessInstance(problem: decisionProblem, a: instance.a, b: instance.b))
            let found = try HardnessConstruction.optimum(instance)
            let value = try #require(found.value)
            let exact = expected.cosine.map { problem.comparison == .atLeast ? $0.roundedDown : $0.roundedUp }
            #expect(value == exact ?? Double(expected.product), "\(problem.rawValue)")
            #expect(found.decisions <= Int(log2(Double(searchLength + 1)).rounded(.up)))
            let atOptimum = HardnessInstance(problem: decisionProblem, a: instance.a, b: instance.b, threshold: value)
            let fired = try #require(found.witness)
            for row in fired.prefix(3) {
                #expect(ConstructionAgreementTests.isWitnessRow(atOptimum, row), "\(problem.rawValue) row \(row)")
            }
        }
    }

    @Test("results encode as JSON with the CLI's keys")
    func json() throws {
        let result = ConstructionResult(answer: true, witness: [2, 5], margin: 0.5,
                                        model: ModelShape(tokens: 9, layers: 2, heads: 3, embedding: 11),
                                        seconds: 0.25, precision: .float32)
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any])
        #expect(Set(object.keys) == ["answer", "witness", "margin", "model", "seconds", "precision"])
        let model = try #require(object["model"] as? [String: Int])
        #expect(model == ["tokens": 9, "layers": 2, "heads": 3, "embedding": 11])
        #expect(try JSONDecoder().decode(ConstructionResult.self, from: JSONEncoder().encode(result)) == result)
    }
}
