import Foundation

/// Renders a report as one self-contained HTML page (inline CSS and SVG; opens offline).
enum ReportHTML {
    static let style = """
        body { font-family: Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
        h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
        .generated { color: #666; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f4f4f4; }
        td.verdict-supported { background: #e3f4e6; }
        td.verdict-not-supported { background: #fbe4e1; }
        td.verdict-inconclusive { background: #fdf4d8; }
        figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
        """

    static func render(_ content: ReportContent) -> String {
        var html = [
            "<!DOCTYPE html>",
            #"<html lang="en">"#,
            "<head>",
            #"<meta charset="utf-8">"#,
            #"<meta name="generator" content="attnlab">"#,
            "<title>\(Markup.escape(content.title))</title>",
            "<style>\n\(style)\n</style>",
            "</head>",
            "<body>",
            "<h1>\(Markup.escape(content.title))</h1>",
            #"<p class="generated">Generated \#(Markup.escape(content.generatedAt))</p>"#,
        ]
        if let machine = content.machine { html += ["<h2>Machine</h2>", table(machine)] }
        for (index, section) in content.sections.enumerated() {
            html.append("<h2>\(Markup.escape(section.title))</h2>")
            if !section.summary.isEmpty { html.append("<p>\(Markup.escape(section.summary))</p>") }
            if let claims = content.claimTables[index] { html.append(table(claims, verdictColumn: 4)) }
            for plotIndex in content.plotRanges[index] {
                html.append("<figure>\n\(content.plots[plotIndex].svg())</figure>")
            }
            if let data = section.table { html.append(table(data)) }
        }
        if let runs = content.runs { html += ["<h2>Runs</h2>", table(runs)] }
        html += ["</body>", "</html>"]
        return html.joined(separator: "\n") + "\n"
    }

    /// An HTML table; cells of `verdictColumn` get a class that colours them by verdict.
    private static func table(_ table: ReportTable, verdictColumn: Int? = nil) -> String {
        var rows = ["<table>", "<tr>" + table.headers.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr>"]
        for row in table.rows {
            let cells = row.enumerated().map { column, cell in
                let verdictClass = column == verdictColumn ? #" class="verdict-\#(ReportContent.slug(cell))""# : ""
                return "<td\(verdictClass)>\(Markup.escape(cell))</td>"
            }
            rows.append("<tr>" + cells.joined() + "</tr>")
        }
        rows.append("</table>")
        return rows.joined(separator: "\n")
    }
}
