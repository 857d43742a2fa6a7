import Foundation
import Testing

/// `attention --depth-keys/--depth-values`: depth arrays that disagree with the queries, and incomplete
/// option sets, fail with one clear line and write nothing.
@Suite("Adversarial: attention depth-slot options")
struct DepthSlotOptionTests {
    /// Extra arguments (with `{dk}`, `{dv}`, `{do}`, `{a}` for the fixture's files and `{x}` for a depth
    /// array of the probe's `shape`) after a valid `attention … --output out.npy`, and a text the error contains.
    static let probes: [(arguments: [String], shape: [Int]?, text: String)] = [
        (["--depth-keys", "{dk}"], nil, "together"),
        (["--depth-values", "{dv}"], nil, "together"),
        (["--depth-keys", "{a}", "--depth-values", "{a}"], nil, "rank 2"),
        (["--depth-keys", "{x}", "--depth-values", "{x}"], [2, 2, 8, 3, 4], "disagree"),
        (["--depth-keys", "{x}", "--depth-values", "{x}"], [1, 3, 8, 3, 4], "disagree"),
        (["--depth-keys", "{x}", "--depth-values", "{x}"], [1, 2, 7, 3, 4], "disagree"),
        (["--depth-keys", "{x}", "--depth-values", "{x}"], [1, 2, 8, 3, 5], "disagree"),
        (["--depth-keys", "{x}", "--depth-values", "{x}"], [2, 8, 0, 4], "S = 0"),
        (["--depth-keys", "{x}", "--depth-values", "{dv}"], [1, 2, 8, 2, 4], "same shape"),
        (["--depth-keys", "{dk}", "--depth-values", "{dv}", "--grad-output", "{do}", "--grad-queries", "{out}.dq",
          "--grad-keys", "{out}.dk", "--grad-values", "{out}.dv"], nil, "--grad-depth-keys"),
        (["--grad-output", "{do}", "--grad-queries", "{out}.dq", "--grad-keys", "{out}.dk", "--grad-values", "{out}.dv",
          "--grad-depth-keys", "{out}.ddk", "--grad-depth-values", "{out}.ddv"], nil, "need --depth-keys"),
        (["--depth-keys", "{dk}", "--depth-values", "{dv}", "--grad-depth-keys", "{out}.ddk",
          "--grad-depth-values", "{out}.ddv"], nil, "need --grad-output"),
    ]

    @Test("each probe fails with one clear line and writes nothing", arguments: probes.indices)
    func probe(index: Int) throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let (extra, shape, text) = Self.probes[index]
        let custom = fixture.path("x.npy")
        if let shape {
            let count = shape.reduce(1, *)
            try writeNpy(custom, shape: shape, values: (0..<count).map { Float($0 % 7) / 7 })
        }
        let output = fixture.path("out")
        let substitutions = ["{dk}": fixture.depthKeys, "{dv}": fixture.depthValues, "{do}": fixture.gradOutput,
                             "{a}": fixture.setA, "{x}": custom]
        let arguments = ["attention", "--queries", fixture.queries, "--keys", fixture.keys, "--values", fixture.values,
                         "--mask", "causal", "--output", output + ".npy"]
            + extra.map { substitutions[$0] ?? $0.replacingOccurrences(of: "{out}", with: output) }
        let result = try Attnlab.run(arguments)
        #expect(result.isCleanFailure, "\(extra): \(result.status) \(result.standardError)")
        #expect(result.errorLine.contains(text), "\(extra): \(result.errorLine)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.url.path).filter { $0.hasPrefix("out") }
            .isEmpty, "\(extra) wrote output")
    }
}
