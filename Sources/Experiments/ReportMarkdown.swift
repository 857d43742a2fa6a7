import Foundation

/// Renders a report as Markdown whose plots are the SVG files written beside it.
enum ReportMarkdown {
    static func render(_ content: ReportContent) -> String {
        var lines = ["# \(content.title)", "", "Generated \(content.generatedAt)", ""]
        if let machine = content.machine { lines += ["## Machine", ""] + table(machine) }
        for (index, section) in content.sections.enumerated() {
            lines += ["## \(section.title)", ""]
            if !section.summary.isEmpty { lines += [section.summary, ""] }
            if let claims = content.claimTables[index] { lines += table(claims) }
            for plotIndex in content.plotRanges[index] {
                let alternative = content.plots[plotIndex].title.replacingOccurrences(of: "]", with: "\\]")
                lines += ["![\(alternative)](\(content.plotFileNames[plotIndex]))", ""]
            }
            if let data = section.table { lines += table(data) }
        }
        if let runs = content.runs { lines += ["## Runs", ""] + table(runs) }
        return lines.joined(separator: "\n")
    }

    /// A pipe table followed by a blank line.
    private static func table(_ table: ReportTable) -> [String] {
        func row(_ cells: [String]) -> String { "| " + cells.map(Markup.markdownCell).joined(separator: " | ") + " |" }
        return [row(table.headers), "|" + String(repeating: " --- |", count: table.headers.count)]
            + table.rows.map(row) + [""]
    }
}
