import Foundation
import Hardness
import Kernels
import Testing

/// The 3-OV construction at the size: N = 4096, d = 24, L·H = 16 (2 layers × 8 heads), a planted
/// yes-instance and a planted no-instance (density 0.9, where brute force must scan all 2^28 triples), each checked against brute force. Run with ATTNLAB_SLOW_TESTS=1.
@Suite("3-OV construction at N = 4096", .enabled(if: ProcessInfo.processInfo.environment["ATTNLAB_SLOW_TESTS"] == "1"))
struct ThreeOVConstructionSlowTests {
    @Test("N = 4096, d = 24, 2 layers × 8 heads: the transformer agrees with brute force",
          arguments: [PlantedAnswer.yes, .no])
    func largeThreeOV(planted: PlantedAnswer) throws {
        var generator = InstanceGenerator(seed: planted == .yes ? 4096 : 4097)
        let instance = try generator.generate(.threeOV, setSize: 4096, dimension: 24, planted: planted,
                                              density: planted == .yes ? 0.5 : 0.9, thirdSetSize: 16, verify: false)
        let result = try HardnessConstruction.solve(instance, layers: 2, heads: 8)
        let start = monotonicSeconds()
        let expected = try BruteForce.solve(instance)
        let bruteForceSeconds = monotonicSeconds() - start
        print("3-OV N = 4096, d = 24, 2 × 8 heads, planted \(planted.rawValue): transformer \(result.answer) in "
            + "\(result.seconds) s (margin \(result.margin), \(result.model.tokens) tokens), brute force "
            + "\(expected.answer) in \(bruteForceSeconds) s")
        #expect(result.answer == expected.answer && result.margin > 0.3)
        #expect(result.model == ModelShape(tokens: 4097, layers: 2, heads: 8, embedding: 51))
        #expect(result.answer == (planted == .yes))
    }
}
