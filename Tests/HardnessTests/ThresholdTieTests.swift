import Hardness
import Kernels
import Testing

/// Thresholds that equal an achievable cosine up to rounding (t = 0.8 and cos = 4/5, t = 1/√2 and cos =
/// 1/√2, …): the constructions used to leave a zero gap there and answer "no" on yes-instances.
@Suite("Cosine thresholds on achievable values")
struct ThresholdTieTests {
    /// The cosine problems.
    static let problems: [HardnessProblem] = [.msd, .lsd, .bichromaticMSD, .bichromaticLSD]

    @Test("the issue's example: two equal rows and t = 0.8 is a yes")
    func issueExample() throws {
        let rows: [[Double]] = [[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0]]
        let a = try BinaryMatrix(validating: rows.flatMap { $0 }, rows: 3, columns: 6)
        let instance = HardnessInstance(problem: .msd, a: a, threshold: 0.8)
        #expect(try BruteForce.solve(instance).answer)
        let result = try HardnessConstruction.solve(instance)
        #expect(result.answer && result.margin >= 0.25, "margin \(result.margin)")
    }

    @Test("random instances at thresholds that hit achievable cosines agree with brute force", arguments: problems)
    func achievableThresholds(problem: HardnessProblem) throws {
        var random = SeededGenerator(seed: 77 + UInt64(Self.problems.firstIndex(of: problem)!))
        var answers = [false: 0, true: 0]
        for _ in 0..<60 {
            let d = Int.random(in: 3...10, using: &random), n = Int.random(in: 2...6, using: &random)
            var instance = randomInstance(problem, n: n, d: d, density: 0.5, using: &random)
            // t is a cosine of the instance (so a tie), a decimal near one (0.8 vs 4/5), or its rounding.
            let right = instance.b ?? instance.a
            let (i, j) = (Int.random(in: 0..<n, using: &random), Int.random(in: 0..<right.rows, using: &random))
            let exact = Cosine(innerProduct: instance.a.innerProduct(row: i, with: right, row: j),
                               normProduct: instance.a.popcount(row: i) * right.popcount(row: j))
            let decimal = (exact.value * 10).rounded() / 10
            instance.threshold = [exact.value, exact.roundedDown, exact.roundedUp, decimal].randomElement(using: &random)!
            let expected = try BruteForce.solve(instance).answer
            let result = try HardnessConstruction.solve(instance)
            #expect(result.answer == expected, "\(problem.rawValue) d \(d) t \(instance.threshold!): brute force \(expected)")
            #expect(result.margin >= 0.25, "\(problem.rawValue) d \(d) t \(instance.threshold!): margin \(result.margin)")
            answers[expected, default: 0] += 1
        }
        #expect(answers[true]! > 0 && answers[false]! > 0)
    }

    @Test("levels are the nearest achievable cosines on either side, found by enumeration", arguments: [1, 2, 5, 9])
    func levels(dimension d: Int) {
        var cosines: [Cosine] = []
        for pa in 1...d {
            for pb in pa...d {
                for ip in max(0, pa + pb - d)...pa { cosines.append(Cosine(innerProduct: ip, normProduct: pa * pb)) }
            }
        }
        var random = SeededGenerator(seed: UInt64(d))
        let thresholds: [Double] = [0, 1, 0.5, 0.8, 1.0 / 3] + cosines.prefix(20).flatMap { [$0.value, $0.roundedUp] }
            + (0..<20).map { _ in random.nextUnit() }
        for t in thresholds {
            let atLeast = Cosine.levels(threshold: t, comparison: .atLeast, dimension: d)
            let atMost = Cosine.levels(threshold: t, comparison: .atMost, dimension: d)
            #expect(atLeast.witness == cosines.filter { $0.compare(to: t) >= 0 }.min(), "t \(t)")
            #expect(atLeast.nonWitness == cosines.filter { $0.compare(to: t) < 0 }.max(), "t \(t)")
            #expect(atMost.witness == cosines.filter { $0.compare(to: t) <= 0 }.max(), "t \(t)")
            #expect(atMost.nonWitness == cosines.filter { $0.compare(to: t) > 0 }.min(), "t \(t)")
        }
    }
}
