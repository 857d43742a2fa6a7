import Hardness
import Testing

@Suite("Instance validation")
struct ValidationTests {
    let ones = BinaryMatrix(rows: 4, columns: 5) { _, _ in true }

    @Test("valid instances of every problem pass")
    func validInstancesPass() throws {
        for problem in HardnessProblem.allCases {
            let t: Double? = problem.needsThreshold ? (problem.score == .cosine ? 0.5 : 3) : nil
            let instance = HardnessInstance(problem: problem, a: ones, b: problem.setCount >= 2 ? ones : nil,
                                            c: problem.setCount == 3 ? ones : nil, threshold: t)
            try instance.validate()
        }
        try HardnessInstance(problem: .threeOV, a: ones, b: ones, c: ones).validate(layers: 2, heads: 2)
    }

    @Test("each invalid case is rejected with its own error")
    func invalidCasesAreRejected() {
        let other = BinaryMatrix(rows: 4, columns: 6) { _, _ in true }
        var withZeroRow = ones
        withZeroRow[2, 0] = false; withZeroRow[2, 1] = false; withZeroRow[2, 2] = false
        withZeroRow[2, 3] = false; withZeroRow[2, 4] = false
        let cases: [(HardnessInstance, HardnessError)] = [
            (HardnessInstance(problem: .bichromaticOV, a: ones), .missingSet(problem: .bichromaticOV, set: "B")),
            (HardnessInstance(problem: .ov, a: ones, b: ones), .unexpectedSet(problem: .ov, set: "B")),
            (HardnessInstance(problem: .threeOV, a: ones, b: ones), .missingSet(problem: .threeOV, set: "C")),
            (HardnessInstance(problem: .ov, a: BinaryMatrix(rows: 3, columns: 0)), .zeroDimension),
            (HardnessInstance(problem: .bichromaticOV, a: ones, b: other),
             .dimensionMismatch(set: "B", dimension: 6, expected: 5)),
            (HardnessInstance(problem: .threeOV, a: ones, b: ones, c: other),
             .dimensionMismatch(set: "C", dimension: 6, expected: 5)),
            (HardnessInstance(problem: .bichromaticOV, a: ones, b: BinaryMatrix(rows: 0, columns: 5)),
             .emptySet(set: "B")),
            (HardnessInstance(problem: .ov, a: BinaryMatrix(rows: 1, columns: 5)),
             .tooFewVectors(set: "A", count: 1)),
            (HardnessInstance(problem: .threeOV, a: ones, b: BinaryMatrix(rows: 3, columns: 5), c: ones),
             .setSizeMismatch(a: 4, b: 3)),
            (HardnessInstance(problem: .msd, a: withZeroRow, threshold: 0.5), .zeroVector(set: "A", row: 2)),
            (HardnessInstance(problem: .bichromaticLSD, a: ones, b: withZeroRow, threshold: 0.5),
             .zeroVector(set: "B", row: 2)),
            (HardnessInstance(problem: .maxIP, a: ones), .missingThreshold(problem: .maxIP)),
            (HardnessInstance(problem: .ov, a: ones, threshold: 0), .unexpectedThreshold(problem: .ov)),
            (HardnessInstance(problem: .maxIP, a: ones, threshold: 6),
             .thresholdOutOfRange(problem: .maxIP, threshold: 6, allowed: "an integer in 0…5 (the dimension)")),
            (HardnessInstance(problem: .minIP, a: ones, threshold: 2.5),
             .thresholdOutOfRange(problem: .minIP, threshold: 2.5, allowed: "an integer in 0…5 (the dimension)")),
            (HardnessInstance(problem: .bichromaticMaxIP, a: ones, b: ones, threshold: -1),
             .thresholdOutOfRange(problem: .bichromaticMaxIP, threshold: -1,
                                  allowed: "an integer in 0…5 (the dimension)")),
            (HardnessInstance(problem: .msd, a: ones, threshold: 1.5),
             .thresholdOutOfRange(problem: .msd, threshold: 1.5, allowed: "a real number in [0, 1]")),
            (HardnessInstance(problem: .lsd, a: ones, threshold: -0.1),
             .thresholdOutOfRange(problem: .lsd, threshold: -0.1, allowed: "a real number in [0, 1]")),
        ]
        for (instance, error) in cases {
            #expect(throws: error) { try instance.validate() }
        }
        let nan = HardnessInstance(problem: .msd, a: ones, threshold: .nan)
        #expect { try nan.validate() } throws: { error in
            guard case let .thresholdOutOfRange(problem, t, _) = error as? HardnessError else { return false }
            return problem == .msd && t.isNaN
        }
    }

    @Test("3-OV needs |C| = layers × heads, and layers × heads apply to 3-OV only")
    func modelShape() {
        let threeOV = HardnessInstance(problem: .threeOV, a: ones, b: ones, c: ones)
        #expect(throws: HardnessError.headCountMismatch(setSize: 4, layers: 3, heads: 2)) {
            try threeOV.validate(layers: 3, heads: 2)
        }
        #expect(throws: HardnessError.invalidModelShape(layers: 0, heads: 4)) {
            try threeOV.validate(layers: 0, heads: 4)
        }
        #expect(throws: HardnessError.modelShapeNotApplicable(problem: .ov)) {
            try HardnessInstance(problem: .ov, a: ones).validate(layers: 1, heads: 1)
        }
        #expect("\(HardnessError.headCountMismatch(setSize: 4, layers: 3, heads: 2))".contains("3 × 2 = 6"))
    }

    @Test("problem metadata: CLI names, set counts and threshold ranges")
    func problemMetadata() {
        #expect(HardnessProblem(rawValue: "3ov") == .threeOV)
        #expect(HardnessProblem(rawValue: "bichromatic-min-ip") == .bichromaticMinIP)
        #expect(Set(HardnessProblem.allCases.map(\.rawValue)).count == HardnessProblem.allCases.count)
        #expect(HardnessProblem.allCases.map(\.setCount) == [1, 2, 3, 1, 1, 2, 2, 1, 1, 2, 2])
        #expect(HardnessProblem.maxIP.thresholdRange(dimension: 24) == 0...24)
        #expect(HardnessProblem.lsd.thresholdRange(dimension: 24) == 0...1)
        #expect(HardnessProblem.ov.thresholdRange(dimension: 24) == nil)
        #expect(HardnessProblem.msd.optimumGoal == .maximum && HardnessProblem.ov.optimumGoal == .minimum)
    }
}
