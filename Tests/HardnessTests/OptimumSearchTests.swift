import Hardness
import Kernels
import Testing

@Suite("Optimum by binary search over the decision form")
struct OptimumSearchTests {
    @Test("search on a step function finds the edge in ⌈log2(count + 1)⌉ calls")
    func stepFunction() {
        let thresholds = Array(0..<100)
        for edge in -1...100 {
            var calls = 0
            let largest = searchOptimum(thresholds: thresholds, goal: .maximum) { calls += 1; return $0 <= edge }
            #expect(largest == (edge >= 0 ? min(edge, 99) : nil))
            #expect(calls <= 7)
            let smallest = searchOptimum(thresholds: thresholds, goal: .minimum) { $0 >= edge }
            #expect(smallest == (edge <= 99 ? max(edge, 0) : nil))
        }
        #expect(searchOptimum(thresholds: [Int](), goal: .maximum) { _ in true } == nil)
    }

    @Test("search with the brute-force decision oracle equals the direct optimum",
          arguments: HardnessProblem.allCases.filter(\.needsThreshold))
    func searchMatchesDirectOptimum(problem: HardnessProblem) throws {
        var random = SeededGenerator(seed: 4000 + UInt64(HardnessProblem.allCases.firstIndex(of: problem)!))
        for d in [1, 3, 8, 13] {
            let candidates = candidateThresholds(for: problem, dimension: d)
            #expect(candidates == candidates.sorted() && Set(candidates).count == candidates.count)
            for _ in 0..<6 {
                var instance = randomInstance(problem, n: Int.random(in: 2...40, using: &random), d: d,
                                              density: [0.2, 0.5, 0.8].randomElement(using: &random)!,
                                              using: &random)
                let found = try searchOptimum(thresholds: candidates, goal: problem.optimumGoal) { t in
                    instance.threshold = t
                    return try BruteForce.solve(instance).answer
                }
                let optimum = try BruteForce.optimum(instance)
                let expected = optimum.cosine.map { problem.optimumGoal == .maximum ? $0.roundedDown : $0.roundedUp }
                    ?? Double(optimum.product)
                #expect(found == expected, "d \(d), optimum \(optimum)")
            }
        }
    }
}
