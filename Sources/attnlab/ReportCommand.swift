import ArgumentParser
import Experiments
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write index.html (self-contained) and report.md with tables and SVG log–log plots from a results file.")

    @Option(help: "Results file to read.") var db: String = ResultsStore.defaultFileName
    @Option(help: "Directory to write; created if missing.") var output: String
    @Option(help: "Report title.") var title = "AttentionLab results"
    @Flag(help: "Write into a non-empty directory that holds no previous report.") var overwrite = false

    func run() throws {
        let store = try openExisting(db)
        let sections = try ExperimentCatalog.reportSections(from: store)
        let runs = try store.runs()
        let files = try ReportWriter(title: title, overwrite: overwrite).write(
            sections: sections, machine: runs.last?.machine, runs: runs, to: URL(fileURLWithPath: output))
        print("wrote \(files.html.path), \(files.markdown.path) and \(files.plots.count) plots")
    }
}
