import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import Experiments

/// Parses XML and collects element names, text and attributes, failing on malformed input.
final class XMLSummary: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    var attributes: [[String: String]] = []
    private var currentText = ""

    init(_ xml: String) throws {
        super.init()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw parser.parserError ?? CocoaError(.fileReadCorruptFile)
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(name)
        self.attributes.append(attributes)
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(currentText) }
        currentText = ""
    }
}

@Suite("SVG plots")
struct SVGPlotTests {
    static let sizes: [Double] = [256, 512, 1024, 2048, 4096, 8192]

    static func scalingPlot() throws -> LogLogPlot {
        let flash = sizes.map { PlotPoint(x: $0, y: 2e-9 * $0 * $0, yLow: 1.8e-9 * $0 * $0, yHigh: 2.2e-9 * $0 * $0) }
        let fit = try PowerLawFit(sizes: flash.map(\.x), values: flash.map(\.y))
        let naive = sizes.map { PlotPoint(x: $0, y: 5e-9 * $0 * $0) }
        return LogLogPlot(
            title: "Attention time <N> & \"m\"", xLabel: "sequence length N", yLabel: "seconds",
            series: [PlotSeries(name: "flash", points: flash, fit: FittedLine(fit)),
                     PlotSeries(name: "naive <materialised>", points: naive)])
    }

    @Test func isWellFormedWithTicksLegendAndFitLabel() throws {
        let svg = try Self.scalingPlot().svg()
        let xml = try XMLSummary(svg)
        #expect(xml.elements.first == "svg")
        #expect(xml.texts.contains("Attention time <N> & \"m\""))  // escaped in the file, intact when parsed
        #expect(svg.contains("&lt;N&gt; &amp; &quot;m&quot;"))
        #expect(xml.texts.contains("sequence length N") && xml.texts.contains("seconds"))
        // x spans 256…8192: decades 1000 labelled; y spans ~1e-4…0.34: decades 10⁻⁴ … 0.1.
        #expect(xml.texts.contains("1000"))
        #expect(xml.texts.contains("10⁻⁴") && xml.texts.contains("0.001") && xml.texts.contains("0.1"))
        #expect(xml.texts.contains("slope 2.00"))
        #expect(xml.texts.contains("flash (slope 2.00)") && xml.texts.contains("naive <materialised>"))
        // Six markers per series in the plot plus one per legend entry; error bars on the first series.
        #expect(xml.elements.filter { $0 == "circle" }.count == 7)
        #expect(xml.elements.filter { $0 == "rect" }.count == 3 + 7)  // background, frame, legend box, squares
        #expect(xml.attributes.contains { $0["stroke-dasharray"] == "6 4" && $0["points"] != nil })
        let colours = Set(xml.attributes.compactMap { $0["fill"] }.filter { $0.hasPrefix("#") && $0 != "#ffffff" })
        #expect(colours.count >= 2)
    }

    @Test func labelsTwosAndFivesWhenLessThanTwoDecadesAreShown() throws {
        let plot = LogLogPlot(title: "narrow", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "s", points: [PlotPoint(x: 150, y: 3), PlotPoint(x: 700, y: 4)])])
        let xml = try XMLSummary(plot.svg())
        #expect(xml.texts.contains("200") && xml.texts.contains("500"))
        #expect(xml.texts.contains("3") || xml.texts.contains("4"))
    }

    @Test func formatsFarDecadesAsPowersOfTen() {
        let axis = PlotAxis(scale: .logarithmic, covering: [1e-9, 1e6])
        #expect(axis.label(1e-9) == "10⁻⁹")
        #expect(axis.label(1e6) == "10⁶")
        #expect(axis.label(2e6) == "2×10⁶")
        #expect(axis.label(1e4) == "10000")
        #expect(axis.label(0.001) == "0.001")
        #expect(axis.labelledTicks.count == 16)
    }

    @Test func linearAxesForRatioPlots() throws {
        let points = [1.0, 2, 4, 8, 16, 32, 64].map { PlotPoint(x: $0, y: 1 + 0.01 * $0) }
        let plot = LogLogPlot(title: "time per head", xLabel: "H·L", yLabel: "ratio",
                              series: [PlotSeries(name: "fused / separate", points: points)],
                              xScale: .logarithmic, yScale: .linear)
        let xml = try XMLSummary(plot.svg())
        #expect(xml.elements.contains("polyline"))
        #expect(xml.texts.contains("1.2") && xml.texts.contains("1.4"))
        let axis = PlotAxis(scale: .linear, covering: [0, 0.9])
        #expect(axis.labelledTicks.map { axis.label($0) } == ["0", "0.2", "0.4", "0.6", "0.8"])
    }

    @Test func legendAvoidsTheData() throws {
        // Falling data fill the top-left and bottom-right corners: the legend goes top-right.
        let points = [1.0, 2, 4, 8, 16, 32, 64, 128].map { PlotPoint(x: $0, y: 1 / $0) }
        let plot = LogLogPlot(title: "t", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "falling", points: points)])
        let xml = try XMLSummary(plot.svg())
        let legendBox = try #require(xml.attributes.first { $0["stroke"] == "#bbbbbb" })
        let x = try #require(Double(legendBox["x"] ?? ""))
        let y = try #require(Double(legendBox["y"] ?? ""))
        #expect(x > plot.width / 2 && y < plot.height / 2)
    }

    @Test func skipsPointsALogAxisCannotShow() throws {
        let plot = LogLogPlot(title: "t", xLabel: "x", yLabel: "y",
                              series: [PlotSeries(name: "s", points: [PlotPoint(x: 0, y: 1), PlotPoint(x: 10, y: -1),
                                                                       PlotPoint(x: 10, y: .nan), PlotPoint(x: 100, y: 5)])])
        let xml = try XMLSummary(plot.svg())
        #expect(xml.elements.filter { $0 == "circle" }.count == 2)  // one point plus the legend marker
        let empty = LogLogPlot(title: "empty", xLabel: "x", yLabel: "y", series: [])
        _ = try XMLSummary(empty.svg())
    }
}
