/// A command that writes files, described so the output-policy probes can run on it. Add a row to `all`
/// for every new command that writes (e.g. `mix`, `train`, `evaluate`).
struct WritingCommand: CustomStringConvertible, Sendable {
    let name: String
    /// Arguments that write to `output` (a file, or the prefix of the files for `hardness generate`),
    /// reading the fixture's inputs; `--force` is appended by the probes that need it.
    let arguments: @Sendable (CLIFixture, _ output: String) -> [String]
    /// The files a run with `output` writes; the probes aim at the last one, so that all-or-nothing is
    /// tested too (the others must not appear either).
    let files: @Sendable (_ output: String) -> [String]
    /// The inputs it reads, which it must never write onto.
    let inputs: [@Sendable (CLIFixture) -> String]
    /// Arguments that pass the output checks but fail later (a bad input, an impossible request).
    let failing: @Sendable (CLIFixture, _ output: String) -> [String]

    var description: String { name }

    static let all: [WritingCommand] = [attention, attentionGradients, attentionDepthGradients, mix, hardnessGenerate, resultsExport]

    static let attention = WritingCommand(
        name: "attention",
        arguments: { f, output in ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output] },
        files: { [$0] },
        inputs: [{ $0.queries }, { $0.keys }, { $0.values }],
        failing: { f, output in ["attention", "--queries", f.queries, "--keys", f.setA, "--values", f.values, "--output", output] })

    static let mix = WritingCommand(
        name: "mix",
        arguments: { f, output in
            ["mix", "--mixer", "linear", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output]
        },
        files: { [$0] },
        inputs: [{ $0.queries }, { $0.keys }, { $0.values }],
        failing: { f, output in
            ["mix", "--mixer", "linear", "--queries", f.queries, "--keys", f.setA, "--values", f.values, "--output", output]
        })

    static let attentionGradients = WritingCommand(
        name: "attention --grad-*",
        arguments: { f, output in
            ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output + ".o.npy",
             "--grad-output", f.gradOutput, "--grad-queries", output + ".dq.npy", "--grad-keys", output + ".dk.npy",
             "--grad-values", output]
        },
        files: { [$0 + ".o.npy", $0 + ".dq.npy", $0 + ".dk.npy", $0] },
        inputs: [{ $0.queries }, { $0.keys }, { $0.values }, { $0.gradOutput }],
        failing: { f, output in
            ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output + ".o.npy",
             "--grad-output", f.setA, "--grad-queries", output + ".dq.npy", "--grad-keys", output + ".dk.npy",
             "--grad-values", output]
        })

    /// Depth slots in, six files out; fails on depth keys shaped like the queries (N and S disagree).
    static let attentionDepthGradients = WritingCommand(
        name: "attention --depth-* --grad-*",
        arguments: { f, output in depthGradientArguments(f, output: output, depthKeys: f.depthKeys) },
        files: { output in [".o.npy", ".dq.npy", ".dk.npy", ".dv.npy", ".ddk.npy"].map { output + $0 } + [output] },
        inputs: [{ $0.queries }, { $0.keys }, { $0.values }, { $0.gradOutput }, { $0.depthKeys }, { $0.depthValues }],
        failing: { f, output in depthGradientArguments(f, output: output, depthKeys: f.queries) })

    private static func depthGradientArguments(_ f: CLIFixture, output: String, depthKeys: String) -> [String] {
        ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--mask", "causal",
         "--depth-keys", depthKeys, "--depth-values", f.depthValues, "--output", output + ".o.npy",
         "--grad-output", f.gradOutput, "--grad-queries", output + ".dq.npy", "--grad-keys", output + ".dk.npy",
         "--grad-values", output + ".dv.npy", "--grad-depth-keys", output + ".ddk.npy", "--grad-depth-values", output]
    }

    static let hardnessGenerate = WritingCommand(
        name: "hardness generate",
        arguments: { _, output in ["hardness", "generate", "bichromatic-ov", "--n", "4", "--dim", "6", "--output", output] },
        files: { [$0 + ".a.npy", $0 + ".b.npy"] },
        inputs: [],
        failing: { _, output in
            ["hardness", "generate", "bichromatic-max-ip", "--n", "4", "--dim", "6", "--planted", "no", "--threshold", "0",
             "--output", output]
        })

    static let resultsExport = WritingCommand(
        name: "results export",
        arguments: { f, output in ["results", "export", "--db", f.database, "--format", "csv", "--output", output] },
        files: { [$0] },
        inputs: [{ $0.database }],
        failing: { f, output in ["results", "export", "--db", f.setA, "--format", "csv", "--output", output] })
}
