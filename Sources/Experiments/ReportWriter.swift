import Foundation

/// One file of a report: its name in the report directory and its text.
public struct ReportFile: Sendable, Equatable {
    public let name: String
    public let contents: String
}

/// Renders a report: `index.html`, `report.md`, one `plot-*.svg` per plot, and a `.attnlab-report` marker
/// that tells a later report which `plot-*.svg` files of the directory are its predecessor's (so it may
/// remove stale ones). Writing the files is the caller's (`attnlab report` writes them all or none).
public struct ReportWriter: Sendable {
    public static let markerFileName = ".attnlab-report"

    public var title: String

    public init(title: String = "AttentionLab results") {
        self.title = title
    }

    /// The report of `sections`, with the machine and the runs they came from: plots in section order,
    /// then `index.html` (self-contained: CSS and SVG inline), `report.md` (showing the SVG files beside
    /// it) and the marker.
    public func files(sections: [ReportSection], machine: MachineDescription?, runs: [RunRecord] = [],
                      generatedAt: Date = Date()) -> [ReportFile] {
        let content = ReportContent(
            title: title, generatedAt: generatedAt, machine: machine, runs: runs, sections: sections)
        return zip(content.plots, content.plotFileNames).map { ReportFile(name: $1, contents: $0.svg()) } + [
            ReportFile(name: "index.html", contents: ReportHTML.render(content)),
            ReportFile(name: "report.md", contents: ReportMarkdown.render(content)),
            ReportFile(name: Self.markerFileName,
                       contents: "Written by attnlab; a later report may replace this directory's report files.\n"),
        ]
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
