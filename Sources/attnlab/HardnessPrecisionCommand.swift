import ArgumentParser
import Hardness

struct HardnessPrecisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precision",
        abstract: "Run every construction in float32 and float64 against brute force; print the precision table.",
        discussion: """
            Cases: random planted instances per construction at growing n, and the cosine constructions at \
            the two closest achievable cosines for d = 8…128 (see PrecisionStudyCase.defaultCases). Prints \
            a Markdown table, or the rows as JSON. Takes about a minute (the float64 runs dominate).
            """)

    @Option(help: "Random seed of the instances.") var seed: UInt64 = 1
    @Flag(help: "Print JSON instead of a Markdown table.") var json = false

    func run() throws {
        let rows = try withHardnessErrors { try PrecisionStudy.run(seed: seed) }
        print(json ? try JSONOutput.string(rows) : PrecisionStudy.markdownTable(rows), terminator: json ? "\n" : "")
    }
}
