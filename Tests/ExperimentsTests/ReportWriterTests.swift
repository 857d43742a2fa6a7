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

    @Test func rendersSelfContainedHTMLMarkdownAndPlots() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        try runSweep(store)
        let files = ReportWriter(title: "Test report").files(
            sections: try Self.sections(), machine: testMachine, runs: try store.runs())
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.contents) })

        #expect(files.map(\.name) == ["plot-scaling-1.svg", "plot-scaling-2.svg", "index.html", "report.md",
                                      ReportWriter.markerFileName])
        for plot in files.prefix(2) { _ = try XMLSummary(plot.contents) }

        let html = try #require(byName["index.html"])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"))  // nothing external
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
        #expect(html.contains("<h2>Direct sum &lt;H·L&gt;</h2>"))
        #expect(html.contains(#"<td class="verdict-supported">supported</td>"#))
        #expect(html.contains(#"<td class="verdict-not-supported">not supported</td>"#))
        #expect(html.contains("<td>Test CPU</td>") && html.contains("attnlab experiment scaling"))

        let markdown = try #require(byName["report.md"])
        #expect(markdown.hasPrefix("# Test report"))
        #expect(markdown.contains("![Attention time <N> & \"m\"](plot-scaling-1.svg)"))
        #expect(markdown.contains("| exact attention is Θ(N²) at small m | 2 ± 0.15 | 2.01 | [1.98, 2.04] | supported | m = 64 \\| H = 4 |"))
        #expect(markdown.contains("| 256 | 0.00013 |"))
        #expect(markdown.contains("## Direct sum <H·L>") && markdown.contains("| Test CPU | 2 | 100 | TestOS |"))
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
