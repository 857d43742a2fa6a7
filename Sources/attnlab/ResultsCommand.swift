import ArgumentParser
import Experiments
import Formats
import Foundation

struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Combine and export results files written by `attnlab experiment`.",
        subcommands: [ResultsMergeCommand.self, ResultsExportCommand.self])
}

struct ResultsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Copy the runs and measurements of other results files (e.g. shards) into one; duplicates are skipped.",
        discussion: """
            All or nothing: every source is read and checked first, and the rows are added in one \
            transaction (a missing target is built beside it and appears only when complete).
            """)

    @Option(help: "Results file to merge into (created if missing).") var db: String
    @Argument(help: "Results files to merge from; they are not modified.") var sources: [String]
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one results file to merge from") }
        guard !db.isEmpty else { throw ValidationError("--db must name a results file") }
    }

    func run() throws {
        if let target = try FileIdentity(path: db) {
            for source in sources where try FileIdentity(path: source)?.isSameFile(as: target) == true {
                throw CommandError("'\(source)' is the same file as '\(db)'; cannot merge a results file into itself")
            }
        }
        let summaries = try ResultsStore.merge(sources, into: db)
        let merged = zip(sources, summaries).map { MergedFile(source: $0, summary: $1) }
        if json {
            print(try JSONOutput.string(merged))
        } else {
            for (source, summary) in zip(sources, summaries) { print("\(source): \(summary)") }
        }
    }
}

/// One merged file in `attnlab results merge --json`.
struct MergedFile: Encodable {
    let source: String
    let runsAdded, runsAlreadyPresent, measurementsAdded, measurementsAlreadyPresent: Int

    init(source: String, summary: MergeSummary) {
        self.source = source
        runsAdded = summary.runsAdded
        runsAlreadyPresent = summary.runsAlreadyPresent
        measurementsAdded = summary.measurementsAdded
        measurementsAlreadyPresent = summary.measurementsAlreadyPresent
    }

    enum CodingKeys: String, CodingKey {
        case source
        case runsAdded = "runs_added", runsAlreadyPresent = "runs_already_present"
        case measurementsAdded = "measurements_added", measurementsAlreadyPresent = "measurements_already_present"
    }
}

extension ExportFormat: ExpressibleByArgument {}

struct ResultsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the measurements of a results file as CSV (one row per point) or JSON (runs and measurements).")

    @Option(help: "Results file to read.") var db: String = ResultsStore.defaultFileName
    @Option(help: "csv or json.") var format: ExportFormat
    @Option(help: "Only this experiment's measurements.") var experiment: String?
    @Option(help: "File to write (default: standard output).") var output: String?
    @Flag(help: "Replace an existing output file (a regular, writable file; never the results file).") var force = false

    func run() throws {
        OutputFiles.removeTemporariesOnInterrupt()
        let outputs = try output.map { try OutputFiles([$0], inputs: [db], force: force) }
        let text = try ResultsStore.openForReading(path: db).export(format, experiment: experiment)
        guard let outputs, let output else { return print(text, terminator: "") }
        try outputs.write(Data(text.utf8), to: output)
        try outputs.commit()
    }
}
