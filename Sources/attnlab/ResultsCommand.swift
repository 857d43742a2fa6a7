import ArgumentParser
import Experiments
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
        abstract: "Copy the runs and measurements of other results files (e.g. shards) into one; duplicates are skipped.")

    @Option(help: "Results file to merge into (created if missing).") var db: String
    @Argument(help: "Results files to merge from; they are not modified.") var sources: [String]
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one results file to merge from") }
        let target = URL(fileURLWithPath: db).standardizedFileURL
        if sources.contains(where: { URL(fileURLWithPath: $0).standardizedFileURL == target }) {
            throw ValidationError("cannot merge '\(db)' into itself")
        }
    }

    func run() throws {
        let store = try ResultsStore.open(path: db)
        var summaries: [MergedFile] = []
        for source in sources {
            let summary = try store.merge(from: source)
            summaries.append(MergedFile(source: source, summary: summary))
            if !json { print("\(source): \(summary)") }
        }
        if json { print(try JSONOutput.string(summaries)) }
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

    func run() throws {
        let store = try openExisting(db)
        if let output {
            try store.export(format, experiment: experiment, to: URL(fileURLWithPath: output))
        } else {
            print(try store.export(format, experiment: experiment), terminator: "")
        }
    }
}

/// Opens a results file that must already exist (reading commands never create one).
func openExisting(_ path: String) throws -> ResultsStore {
    guard FileManager.default.fileExists(atPath: path) else { throw ResultsStoreError.fileNotFound(path: path) }
    return try ResultsStore.open(path: path)
}
