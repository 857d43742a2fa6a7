import Foundation
import Testing

/// NaN and infinity in inputs, overflowing scales, and answers that brute force contradicts: never a
/// silent wrong result with exit status 0.
@Suite("Adversarial: non-finite inputs and wrong answers")
struct FiniteInputTests {
    @Test("NaN, inf and values beyond float32 are refused, naming the file and the index", arguments: [
        (Float.nan, "NaN at index [0, 1, 2, 3]"), (Float.infinity, "inf at index [0, 1, 2, 3]"),
        (-Float.infinity, "-inf at index [0, 1, 2, 3]"),
    ])
    func nonFiniteInputs(value: Float, text: String) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        var values = (0..<64).map { Float($0) / 64 }
        values[1 * 32 + 2 * 4 + 3] = value
        let bad = fixture.path("bad.npy")
        try writeNpy(bad, shape: [1, 2, 8, 4], values: values)
        let output = fixture.path("o.npy")
        let arguments = ["attention", "--queries", fixture.queries, "--keys", bad, "--values", fixture.values, "--output", output]
        let refused = try Attnlab.run(arguments)
        #expect(refused.isCleanFailure && refused.errorLine.contains("keys") && refused.errorLine.contains(text),
                "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let unchecked = try Attnlab.run(arguments + ["--no-check-finite"])
        #expect(unchecked.status == 0, "\(unchecked.standardError)")
    }

    @Test("the issue's MSD instance answers yes at t = 0.8, and --check agrees")
    func thresholdOnAnAchievableCosine() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let a = fixture.path("msd.npy")
        try writeNpy(a, shape: [3, 6], values: [1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0])
        for problem in ["msd", "lsd"] {
            let result = try Attnlab.run(["hardness", "solve", problem, "--a", a, "--threshold", "0.8", "--check"])
            #expect(result.status == 0 && result.standardOutput.contains("agrees"), "\(problem): \(result.standardOutput)")
            #expect(result.standardOutput.hasPrefix("answer:      yes"), "\(problem): \(result.standardOutput)")
        }
    }

    @Test("--check exits 1 when float32 is forced below its precision and disagrees with brute force")
    func checkFailsOnDisagreement() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        // Two binary rows of d = 171 with cosine 42/√(80·79) = 0.52831233570; t sits 9.2e-9 below it, so the
        // true LSD answer is no. The float64 default resolves that gap; the float32 forward's rounding puts the
        // pair on the wrong side. The instance was found by trying random ones against the current float32 kernels: a change in
        // their rounding (e.g. the log2-unit softmax of 2026-12-02, which made an earlier d = 96 instance agree)
        // can make it agree too, and then another instance has to be searched for.
        let rows = ["000100000111000001001001010001100001001001101010100000000110001110011000110011110111001001110001100101101010111001000010110100101111110001110101111100111111101101001000010",
                    "100001000010010001111010100001011011101011010110100001011111101101000001110100000110001100110000100111111110010110000000000001001001111101000100111011111010011001010001100"]
        let a = fixture.path("close.npy")
        try writeNpy(a, shape: [2, 171], values: rows.flatMap { $0.map { $0 == "1" ? Float(1) : 0 } })
        let arguments = ["hardness", "solve", "lsd", "--a", a, "--threshold", "0.5283123264776001", "--check"]
        let forced = try Attnlab.run(arguments + ["--precision", "float32"])
        #expect(forced.status == 1 && !forced.signalled && forced.standardOutput.contains("DISAGREES"), "\(forced.standardOutput)")
        #expect(forced.errorLine.contains("brute force"))
        let chosen = try Attnlab.run(arguments)
        #expect(chosen.status == 0 && chosen.standardOutput.contains("agrees"), "\(chosen.standardOutput)")
    }
}
