/// A command that reads a file, described so the hostile-input probes can run on it. Add a row to `all`
/// for every new command that reads files.
struct ReadingCommand: CustomStringConvertible, Sendable {
    let name: String
    /// Arguments that read `input` in the role under test (the other inputs valid), writing, if at all,
    /// to `output`.
    let arguments: @Sendable (CLIFixture, _ input: String, _ output: String) -> [String]

    var description: String { name }

    static let all: [ReadingCommand] = [
        ReadingCommand(name: "attention --queries") { f, input, output in
            ["attention", "--queries", input, "--keys", f.keys, "--values", f.values, "--output", output]
        },
        ReadingCommand(name: "attention --grad-output") { f, input, output in
            ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output,
             "--grad-output", input, "--grad-queries", output + ".dq", "--grad-keys", output + ".dk",
             "--grad-values", output + ".dv"]
        },
        ReadingCommand(name: "attention --depth-keys") { f, input, output in
            ["attention", "--queries", f.queries, "--keys", f.keys, "--values", f.values, "--output", output,
             "--depth-keys", input, "--depth-values", f.depthValues]
        },
        ReadingCommand(name: "mix --keys") { f, input, output in
            ["mix", "--mixer", "performer", "--queries", f.queries, "--keys", input, "--values", f.values, "--output", output]
        },
        ReadingCommand(name: "mix --mixer mamba --input") { _, input, output in
            ["mix", "--mixer", "mamba", "--input", input, "--output", output]
        },
        ReadingCommand(name: "hardness solve") { _, input, _ in ["hardness", "solve", "ov", "--a", input, "--check"] },
        ReadingCommand(name: "results export") { _, input, output in
            ["results", "export", "--db", input, "--format", "json", "--output", output]
        },
        ReadingCommand(name: "results merge (source)") { _, input, output in ["results", "merge", "--db", output, input] },
        ReadingCommand(name: "report") { _, input, output in ["report", "--db", input, "--output", output] },
    ]
}
