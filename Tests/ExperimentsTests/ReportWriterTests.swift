import Foundation
import Testing

@testable import Experiments

@Suite("Reports")
struct ReportWriterTests {
    static func sections() throws -> [ReportSection] {
        let plot = try SVGPlotTests.scalingPlot()
        let claim = ClaimResult(claim: "exact attention is Θ(N²) at small m", prediction: .near(value: 2, tolerance: 0.15),
                                measured: 2.01, interval: 1.98...2.04, note: "m = 64 | H = 4")
        let refuted = ClaimResult(claim: "fusing heads saves time", prediction: .atMost(0.8), measured: 1.0,
                                  interval: 0.97...1.03)
        return [
            ReportSection(title: "Scaling", summary: "Time vs N for exact attention.", claims: [claim],
                          table: ReportTable(headers: ["N", "seconds"], rows: [["256", "0.00013"], ["512", "0.00052"]]),
                          plots: [plot, plot]),
            ReportSection(title: "Direct sum <H·L>", claims: [refuted]),
        ]
    }

    @Test func writesSelfContainedHTMLMarkdownAndPlots() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.url.appendingPathComponent("report")
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        try runSweep(store)
        let files = try ReportWriter(title: "Test report").write(
            sections: try Self.sections(), machine: testMachine, runs: try store.runs(), to: output)

        #expect(files.plots.map(\.lastPathComponent) == ["plot-scaling-1.svg", "plot-scaling-2.svg"])
        for plot in files.plots { _ = try XMLSummary(try String(contentsOf: plot, encoding: .utf8)) }

        let html = try String(contentsOf: files.html, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"))  // nothing external
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
        #expect(html.contains("<h2>Direct sum &lt;H·L&gt;</h2>"))
        #expect(html.contains(#"<td class="verdict-supported">supported</td>"#))
        #expect(html.contains(#"<td class="verdict-not-supported">not supported</td>"#))
        #expect(html.contains("<td>Test CPU</td>") && html.contains("attnlab experiment scaling"))

        let markdown = try String(contentsOf: files.markdown, encoding: .utf8)
        #expect(markdown.hasPrefix("# Test report"))
        #expect(markdown.contains("![Attention time <N> & \"m\"](plot-scaling-1.svg)"))
        #expect(markdown.contains("| exact attention is Θ(N²) at small m | 2 ± 0.15 | 2.01 | [1.98, 2.04] | supported | m = 64 \\| H = 4 |"))
        #expect(markdown.contains("| 256 | 0.00013 |"))
        #expect(markdown.contains("## Direct sum <H·L>") && markdown.contains("| Test CPU | 2 | 100 | TestOS |"))
    }

    @Test func refusesAForeignNonEmptyDirectoryUnlessAllowed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mine = directory.url.appendingPathComponent("thesis.tex")
        try Data("\\documentclass{article}".utf8).write(to: mine)
        #expect(throws: ReportError.directoryNotEmpty(path: directory.url.path)) {
            try ReportWriter().write(sections: [], machine: nil, to: directory.url)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("index.html")))
        try ReportWriter(overwrite: true).write(sections: [], machine: nil, to: directory.url)
        #expect(FileManager.default.fileExists(atPath: directory.path("index.html")))
        #expect(FileManager.default.fileExists(atPath: mine.path))

        #expect(throws: ReportError.notADirectory(path: mine.path)) {
            try ReportWriter().write(sections: [], machine: nil, to: mine)
        }
    }

    @Test func replacesAPreviousReportAndItsStalePlots() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = directory.url.appendingPathComponent("out")
        try ReportWriter().write(sections: try Self.sections(), machine: nil, to: output)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("plot-scaling-2.svg").path))
        let files = try ReportWriter().write(sections: [ReportSection(title: "Only", plots: [try SVGPlotTests.scalingPlot()])],
                                             machine: nil, to: output)
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(names == [ReportWriter.markerFileName, "index.html", "plot-only-1.svg", "report.md"])
        #expect(files.plots.count == 1)
    }

    @Test func tableFromStoredMeasurements() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        try runSweep(store, points: Array(testPoints.prefix(2)))
        let table = try ReportTable(measurements: try store.measurements())
        #expect(table.headers.prefix(2) == ["point.heads", "point.n"])
        #expect(table.headers.contains("median") && !table.headers.contains("seconds"))
        #expect(table.rows.count == 2 && table.rows[1][1] == "128")
        let median = try #require(table.headers.firstIndex(of: "median"))
        #expect(table.rows[0][median] == "4.096e-06")
    }
}
