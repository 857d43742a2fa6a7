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
        // The two closest cosines at d = 96 are 55/√(63·63) and 73/√(76·92), 2.1e-8 apart; t sits between
        // them and the pair has the lower one. float32 cannot tell them apart; the default float64 can.
        let a = fixture.path("close.npy")
        try writeNpy(a, shape: [2, 96], values: (0..<192).map { index in
            let (row, column) = (index / 96, index % 96)
            return Float(row == 0 ? (column < 63 ? 1 : 0) : (column >= 8 && column < 71 ? 1 : 0))
        })
        let arguments = ["hardness", "solve", "lsd", "--a", a, "--threshold", "0.8730158833348192", "--check"]
        let forced = try Attnlab.run(arguments + ["--precision", "float32"])
        #expect(forced.status == 1 && !forced.signalled && forced.standardOutput.contains("DISAGREES"), "\(forced.standardOutput)")
        #expect(forced.errorLine.contains("brute force"))
        let chosen = try Attnlab.run(arguments)
        #expect(chosen.status == 0 && chosen.standardOutput.contains("agrees"), "\(chosen.standardOutput)")
    }
}
