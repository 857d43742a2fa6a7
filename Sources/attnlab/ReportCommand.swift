import ArgumentParser
import Experiments
import Formats
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write index.html (self-contained) and report.md with tables and SVG log–log plots from a results file.",
        discussion: """
            The results file is only read. A missing output directory is created with the whole report at \
            once; in an existing one, files of the same names are replaced only with --force (and then the \
            stale plots of a previous report are removed). Nothing is written if any file cannot be.
            """)

    @Option(help: "Results file to read.") var db: String = ResultsStore.defaultFileName
    @Option(help: "Directory to write; created if missing.") var output: String
    @Option(help: "Report title.") var title = "AttentionLab results"
    @Flag(help: "Replace the files of an existing report (regular, writable files only).") var force = false

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output must name a directory") }
    }

    func run() throws {
        OutputFiles.removeTemporariesOnInterrupt()
        try ReportDirectory.checkWritable(output)
        let store = try ResultsStore.openForReading(path: db)
        let sections = try ExperimentCatalog.reportSections(from: store)
        let runs = try store.runs()
        let files = ReportWriter(title: title).files(sections: sections, machine: runs.last?.machine, runs: runs)
        try ReportDirectory.write(files, to: output, inputs: [db], force: force)
        let plots = files.filter { $0.name.hasSuffix(".svg") }.count
        print("wrote \(ReportDirectory.path(output, "index.html")), \(ReportDirectory.path(output, "report.md")) and \(plots) plots")
    }
}

/// Writing a report's files into a directory under the output policy (`OutputFiles`).
enum ReportDirectory {
    /// Throws unless `path` is an existing directory, or missing with an existing parent directory.
    static func checkWritable(_ path: String) throws {
        if let identity = try FileIdentity(path: path) {
            guard identity.kind == .directory else {
                throw CommandError("\(path): is a \(identity.kind.rawValue); --output must name a directory")
            }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard try FileIdentity(path: parent)?.kind == .directory else {
            throw CommandError("\(path): cannot create it: directory '\(parent)' does not exist")
        }
    }

    /// Writes `files` into `directory`, all or nothing. A missing directory is filled as a hidden temporary
    /// sibling and renamed into place; in an existing one the files go through `OutputFiles` (existing
    /// names replaced only with `force`), after which a previous report's stale plots are removed.
    static func write(_ files: [ReportFile], to directory: String, inputs: [String], force: Bool) throws {
        let manager = FileManager.default
        guard try FileIdentity(path: directory) == nil else {
            let previous = manager.fileExists(atPath: path(directory, ReportWriter.markerFileName))
            try writeAll(files, into: directory, inputs: inputs, force: force)
            guard previous else { return }
            let current = Set(files.map(\.name))
            for stale in try manager.contentsOfDirectory(atPath: directory)
            where stale.hasPrefix("plot-") && stale.hasSuffix(".svg") && !current.contains(stale) {
                try? manager.removeItem(atPath: path(directory, stale))
            }
            return
        }
        let target = URL(fileURLWithPath: directory)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).attnlab-tmp").path
        do {
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw CommandError("\(directory): cannot create it: \(error.localizedDescription)")
        }
        defer { try? manager.removeItem(atPath: temporary) }
        try writeAll(files, into: temporary, inputs: inputs, force: false)
        guard rename(temporary, directory) == 0 else {
            throw CommandError("\(directory): cannot move the report into place: \(String(cString: strerror(errno)))")
        }
    }

    /// `name` inside `directory`, with one slash between them however `directory` ends.
    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func writeAll(_ files: [ReportFile], into directory: String, inputs: [String], force: Bool) throws {
        let paths = files.map { path(directory, $0.name) }
        let outputs = try OutputFiles(paths, inputs: inputs, force: force)
        for (file, path) in zip(files, paths) { try outputs.write(Data(file.contents.utf8), to: path) }
        try outputs.commit()
    }
}
