import Foundation

/// Why a report could not be written.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The output directory holds files that are not a previous report and `overwrite` is false.
    case directoryNotEmpty(path: String)
    case notADirectory(path: String)
    case cannotWrite(path: String, message: String)

    public var description: String {
        switch self {
        case .directoryNotEmpty(let path):
            "output directory '\(path)' is not empty and holds no previous report; choose another or allow overwriting"
        case .notADirectory(let path):
            "output path '\(path)' exists and is not a directory"
        case .cannotWrite(let path, let message):
            "cannot write report file '\(path)': \(message)"
        }
    }
}

/// The files a report consists of.
public struct ReportFiles: Sendable, Equatable {
    /// Self-contained HTML: CSS and SVG inline, no external resources.
    public let html: URL
    /// Markdown that shows the SVG files beside it.
    public let markdown: URL
    /// `plot-<section>-<n>.svg`, in section order.
    public let plots: [URL]
}

/// Writes a report directory: `index.html`, `report.md` and one `plot-*.svg` per plot.
///
/// The directory is created if missing. An existing one is reused when it is empty or holds a
/// previous report (marked by a `.attnlab-report` file; its old plots are removed first); any other
/// non-empty directory is refused unless `overwrite` is true.
public struct ReportWriter: Sendable {
    public static let markerFileName = ".attnlab-report"

    public var title: String
    public var overwrite: Bool

    public init(title: String = "AttentionLab results", overwrite: Bool = false) {
        self.title = title
        self.overwrite = overwrite
    }

    /// Writes `sections`, with the machine and the runs they came from, into `directory`.
    @discardableResult
    public func write(sections: [ReportSection], machine: MachineDescription?, runs: [RunRecord] = [],
                      generatedAt: Date = Date(), to directory: URL) throws(ReportError) -> ReportFiles {
        try prepare(directory)
        let content = ReportContent(
            title: title, generatedAt: generatedAt, machine: machine, runs: runs, sections: sections)
        var plotURLs: [URL] = []
        for (plot, name) in zip(content.plots, content.plotFileNames) {
            let url = directory.appendingPathComponent(name)
            try write(plot.svg(), to: url)
            plotURLs.append(url)
        }
        let html = directory.appendingPathComponent("index.html")
        let markdown = directory.appendingPathComponent("report.md")
        try write(ReportHTML.render(content), to: html)
        try write(ReportMarkdown.render(content), to: markdown)
        try write("Written by attnlab; a later report may replace this directory's report files.\n",
                  to: directory.appendingPathComponent(Self.markerFileName))
        return ReportFiles(html: html, markdown: markdown, plots: plotURLs)
    }

    private func prepare(_ directory: URL) throws(ReportError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notADirectory(path: directory.path) }
            let entries: [String]
            do { entries = try manager.contentsOfDirectory(atPath: directory.path) } catch {
                throw .cannotWrite(path: directory.path, message: String(describing: error))
            }
            if entries.isEmpty { return }
            if entries.contains(Self.markerFileName) {
                for stale in entries where stale.hasPrefix("plot-") && stale.hasSuffix(".svg") {
                    try? manager.removeItem(at: directory.appendingPathComponent(stale))
                }
                return
            }
            if !overwrite { throw .directoryNotEmpty(path: directory.path) }
            return
        }
        do { try manager.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: directory.path, message: String(describing: error))
        }
    }

    private func write(_ text: String, to url: URL) throws(ReportError) {
        do { try Data(text.utf8).write(to: url, options: .atomic) } catch {
            throw .cannotWrite(path: url.path, message: String(describing: error))
        }
    }
}

/// What both renderers show, computed once: the tables of the header and each section, plot names.
struct ReportContent {
    let title: String
    let generatedAt: String
    let machine: ReportTable?
    let runs: ReportTable?
    let sections: [ReportSection]
    /// Claim table of each section (nil when it has no claims).
    let claimTables: [ReportTable?]
    /// All plots in section order, and their file names.
    let plots: [LogLogPlot]
    let plotFileNames: [String]
    /// Index range into `plots` of each section.
    let plotRanges: [Range<Int>]

    init(title: String, generatedAt: Date, machine: MachineDescription?, runs: [RunRecord], sections: [ReportSection]) {
        self.title = title
        self.generatedAt = StoredDate.text(generatedAt)
        self.machine = machine.map { machine in
            ReportTable(headers: ["CPU", "Cores", "Peak GFLOP/s", "OS"], rows: [[
                machine.cpuModel, String(machine.cores),
                machine.peakText, machine.operatingSystem,
            ]])
        }
        self.runs = runs.isEmpty ? nil : ReportTable(
            headers: ["Run", "Experiment", "Started", "Status", "Shard", "Git commit", "Command"],
            rows: runs.map { run in
                [String(run.id), run.experiment, StoredDate.text(run.startedAt), run.status.rawValue,
                 run.shard ?? "", run.gitCommit.map { String($0.prefix(10)) } ?? "", run.commandLine]
            })
        self.sections = sections
        claimTables = sections.map { section in
            section.claims.isEmpty ? nil : ReportTable(
                headers: ["Claim", "Predicted", "Measured", "95% interval", "Verdict", "Note"],
                rows: section.claims.map { claim in
                    [claim.claim, claim.predicted, claim.measuredText, claim.intervalText, claim.verdict.rawValue,
                     claim.noteText]
                })
        }
        var plots: [LogLogPlot] = []
        var names: [String] = []
        var ranges: [Range<Int>] = []
        var usedSlugs: Set<String> = []
        for (index, section) in sections.enumerated() {
            var slug = Self.slug(section.title)
            if usedSlugs.contains(slug) { slug += "-\(index + 1)" }
            usedSlugs.insert(slug)
            ranges.append(plots.count..<(plots.count + section.plots.count))
            for (number, plot) in section.plots.enumerated() {
                plots.append(plot)
                names.append("plot-\(slug)-\(number + 1).svg")
            }
        }
        self.plots = plots
        plotFileNames = names
        plotRanges = ranges
    }

    /// Lowercase letters, digits and dashes: "Direct sum (H·L)" → "direct-sum-h-l".
    static func slug(_ title: String) -> String {
        let words = title.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return words.isEmpty ? "section" : words.joined(separator: "-")
    }
}
