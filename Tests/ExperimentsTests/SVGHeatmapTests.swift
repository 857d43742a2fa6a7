import Foundation
import Testing

@testable import Experiments

@Suite("Heatmap plots")
struct SVGHeatmapTests {
    private let grid = HeatmapGrid(values: [[0.5, nil, nil], [0.25, 0.75, nil], [0.1, 0.2, 0.7]],
                                   rowNames: ["sub-layer 2", "sub-layer 3", "output"], columnNames: ["0", "1", "2"])

    private var plot: LogLogPlot {
        LogLogPlot(title: "α <heatmap>", xLabel: "source", yLabel: "consumer", series: [], heatmap: grid)
    }

    @Test("one cell per entry, well-formed, with the row and column names, the axis labels and an escaped title")
    func cellsAndLabels() throws {
        let summary = try XMLSummary(plot.svg())
        let cells = summary.attributes.filter { $0["width"] != nil && $0["fill"] != nil && $0["fill"] != "none" }
        // Nine cells, the background and the colour bar's 16 steps.
        #expect(cells.count == 9 + 1 + 16)
        for name in ["sub-layer 2", "output", "source", "consumer", "0", "2", "α <heatmap>"] {
            #expect(summary.texts.contains(name), "\(name)")
        }
    }

    @Test("white at 0, darkest at the largest value, grey where an entry is not defined")
    func colours() {
        let renderer = SVGHeatmapRenderer(plot: plot, grid: grid)
        #expect(renderer.colour(0) == "#ffffff")
        #expect(renderer.colour(0.75) == "#08306b")
        #expect(renderer.colour(nil) == "#cccccc")
        #expect(grid.maximum == 0.75)
    }

    @Test("a heatmap survives a JSON round trip, so stored report sections keep it")
    func codable() throws {
        let decoded = try JSONDecoder().decode(LogLogPlot.self, from: JSONEncoder().encode(plot))
        #expect(decoded.heatmap?.rowNames == grid.rowNames)
        #expect(decoded.heatmap == grid)
    }
}
