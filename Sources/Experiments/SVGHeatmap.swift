/// A matrix shown as coloured cells, for a `LogLogPlot` whose `heatmap` is set: row r, column c is one
/// cell, its colour running from white (`0`) to dark blue (`maximum`), with a colour bar. Cells holding
/// nil (not defined, e.g. a source a consumer cannot see) are left grey. O(rows × columns).
public struct HeatmapGrid: Codable, Sendable, Equatable {
    /// `[rows][columns]`; nil where the entry is not defined.
    public var values: [[Double?]]
    /// A name per row (top to bottom) and per column (left to right).
    public var rowNames: [String]
    public var columnNames: [String]

    public init(values: [[Double?]], rowNames: [String], columnNames: [String]) {
        self.values = values
        self.rowNames = rowNames
        self.columnNames = columnNames
    }

    /// The largest finite value (the colour bar's top), 1 when there is none above 0.
    var maximum: Double {
        let top = values.joined().compactMap { $0 }.filter(\.isFinite).max() ?? 0
        return top > 0 ? top : 1
    }
}

/// Lays out and writes one heatmap `LogLogPlot`.
struct SVGHeatmapRenderer {
    let plot: LogLogPlot
    let grid: HeatmapGrid
    /// Cell area in pixels, leaving room for the row names on the left and the colour bar on the right.
    let left: Double, right: Double, top: Double, bottom: Double

    init(plot: LogLogPlot, grid: HeatmapGrid) {
        self.plot = plot
        self.grid = grid
        left = 96
        right = plot.width - 90
        top = 48
        bottom = plot.height - 58
    }

    func render() -> String {
        let rows = grid.values.count, columns = grid.values.map(\.count).max() ?? 0
        var svg = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(plot.width))" height="\##(Int(plot.height))" "##
                + ##"viewBox="0 0 \##(Int(plot.width)) \##(Int(plot.height))" font-family="Helvetica, Arial, sans-serif" "##
                + ##"font-size="11" role="img">"##,
            "<title>\(Markup.escape(plot.title))</title>",
            ##"<rect x="0" y="0" width="\##(Int(plot.width))" height="\##(Int(plot.height))" fill="#ffffff"/>"##,
            text(plot.title, x: plot.width / 2, y: 26, attributes: ##"text-anchor="middle" font-size="16" font-weight="bold""##),
        ]
        guard rows > 0, columns > 0 else { return (svg + ["</svg>"]).joined(separator: "\n") + "\n" }
        let width = (right - left) / Double(columns), height = (bottom - top) / Double(rows)
        for (r, row) in grid.values.enumerated() {
            for (column, value) in row.enumerated() {
                svg.append(##"<rect x="\##(c(left + Double(column) * width))" y="\##(c(top + Double(r) * height))" "##
                    + ##"width="\##(c(width))" height="\##(c(height))" fill="\##(colour(value))"><title>\##(Markup.escape(label(r, column, value)))</title></rect>"##)
            }
        }
        svg.append(##"<rect x="\##(c(left))" y="\##(c(top))" width="\##(c(right - left))" height="\##(c(bottom - top))" fill="none" stroke="#333333"/>"##)
        svg += names(grid.rowNames, count: rows, step: height, vertical: true)
        svg += names(grid.columnNames, count: columns, step: width, vertical: false)
        svg.append(text(plot.xLabel, x: (left + right) / 2, y: plot.height - 12, attributes: ##"text-anchor="middle" font-size="13""##))
        let yMiddle = (top + bottom) / 2
        svg.append(text(plot.yLabel, x: 16, y: yMiddle,
                        attributes: ##"text-anchor="middle" font-size="13" transform="rotate(-90 16 \##(c(yMiddle)))""##))
        svg += colourBar()
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// White at 0 to #08306B at the maximum, linear in each channel; grey for nil or NaN.
    func colour(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "#cccccc" }
        let t = min(1, max(0, value / grid.maximum))
        let (r, g, b) = (255 - t * (255 - 8), 255 - t * (255 - 48), 255 - t * (255 - 107))
        return "#" + [r, g, b].map { channel in
            let hex = String(Int(channel.rounded()), radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }

    private func label(_ row: Int, _ column: Int, _ value: Double?) -> String {
        let rowName = row < grid.rowNames.count ? grid.rowNames[row] : String(row)
        let columnName = column < grid.columnNames.count ? grid.columnNames[column] : String(column)
        return "\(rowName), \(columnName): " + (value.map { NumberText.short($0, digits: 3) } ?? "not defined")
    }

    /// Names along the left edge (rows) or under the bottom edge (columns), thinned to ≤ 16 labels.
    private func names(_ names: [String], count: Int, step: Double, vertical: Bool) -> [String] {
        let stride = max(1, (count + 15) / 16)
        return Swift.stride(from: 0, to: min(count, names.count), by: stride).map { index in
            let centre = (Double(index) + 0.5) * step
            return vertical
                ? text(names[index], x: left - 6, y: top + centre + 4, attributes: ##"text-anchor="end""##)
                : text(names[index], x: left + centre, y: bottom + 16, attributes: ##"text-anchor="middle""##)
        }
    }

    /// A vertical bar from 0 (bottom) to the maximum (top) right of the cells.
    private func colourBar() -> [String] {
        let x = right + 18, steps = 16
        let step = (bottom - top) / Double(steps)
        var bar = (0..<steps).map { index in
            let value = grid.maximum * (Double(steps - index) - 0.5) / Double(steps)
            return ##"<rect x="\##(c(x))" y="\##(c(top + Double(index) * step))" width="14" height="\##(c(step))" fill="\##(colour(value))"/>"##
        }
        bar.append(text(NumberText.short(grid.maximum, digits: 3), x: x + 18, y: top + 4, attributes: ""))
        bar.append(text("0", x: x + 18, y: bottom + 4, attributes: ""))
        return bar
    }

    private func text(_ content: String, x: Double, y: Double, attributes: String) -> String {
        Markup.svgText(content, x: x, y: y, attributes: attributes)
    }

    private func c(_ value: Double) -> String { Markup.coordinate(value) }
}
