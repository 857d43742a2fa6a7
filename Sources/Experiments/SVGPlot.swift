import Foundation

/// One data point, with an optional vertical error bar from `yLow` to `yHigh`.
public struct PlotPoint: Codable, Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var yLow: Double?
    public var yHigh: Double?

    public init(x: Double, y: Double, yLow: Double? = nil, yHigh: Double? = nil) {
        self.x = x
        self.y = y
        self.yLow = yLow
        self.yHigh = yHigh
    }
}

/// The curve `y = prefactor · x^exponent`, drawn across a series' x range.
public struct FittedLine: Codable, Sendable, Equatable {
    public var exponent: Double
    public var prefactor: Double

    public init(exponent: Double, prefactor: Double) {
        self.exponent = exponent
        self.prefactor = prefactor
    }

    public init(_ fit: PowerLawFit) { self.init(exponent: fit.exponent, prefactor: fit.prefactor) }

    func y(at x: Double) -> Double { prefactor * pow(x, exponent) }
}

/// A named set of points, drawn with its own colour and marker, with an optional fitted power law.
public struct PlotSeries: Codable, Sendable, Equatable {
    public var name: String
    public var points: [PlotPoint]
    public var fit: FittedLine?

    public init(name: String, points: [PlotPoint], fit: FittedLine? = nil) {
        self.name = name
        self.points = points
        self.fit = fit
    }
}

/// A plot written as a self-contained SVG document by our own small writer: log–log by default (a
/// power law is a straight line whose slope is its exponent), or with linear axes for ratios.
///
/// Drawn: title, framed plot area, labelled ticks with grid lines, minor ticks, axis labels, one colour
/// and marker per series (colour-blind-safe palette), error bars, each series' fitted line (dashed,
/// across the series' x range) labelled "slope k" on log–log axes ("exponent k" otherwise), and a
/// legend. Points an axis cannot show (non-positive on a log axis, NaN) are left out. O(points).
public struct LogLogPlot: Codable, Sendable, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [PlotSeries]
    public var xScale: AxisScale
    public var yScale: AxisScale
    /// Size in pixels (the SVG scales with its `viewBox`).
    public var width: Double
    public var height: Double
    /// When set, the plot is this matrix as coloured cells (`HeatmapGrid`) instead of `series`.
    public var heatmap: HeatmapGrid?

    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries],
                xScale: AxisScale = .logarithmic, yScale: AxisScale = .logarithmic,
                width: Double = 720, height: Double = 460, heatmap: HeatmapGrid? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xScale = xScale
        self.yScale = yScale
        self.width = width
        self.height = height
        self.heatmap = heatmap
    }

    /// The SVG document (no XML declaration, so it can also be inlined in HTML).
    public func svg() -> String {
        if let heatmap { return SVGHeatmapRenderer(plot: self, grid: heatmap).render() }
        return SVGPlotRenderer(plot: self).render()
    }
}

/// Lays out and writes one `LogLogPlot`.
private struct SVGPlotRenderer {
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933"]
    static let samplesPerFitLine = 48

    let plot: LogLogPlot
    let xAxis: PlotAxis
    let yAxis: PlotAxis
    /// Plot area in pixels.
    let left: Double, right: Double, top: Double, bottom: Double
    var isLogLog: Bool { plot.xScale == .logarithmic && plot.yScale == .logarithmic }

    init(plot: LogLogPlot) {
        self.plot = plot
        let xs = plot.series.flatMap { $0.points.map(\.x) }
        var ys: [Double] = []
        for series in plot.series {
            for point in series.points { ys += [point.y, point.yLow, point.yHigh].compactMap { $0 } }
            if let fit = series.fit {
                let shownXs = series.points.map(\.x).filter { plot.xScale == .linear || $0 > 0 }
                if let first = shownXs.min(), let last = shownXs.max() { ys += [fit.y(at: first), fit.y(at: last)] }
            }
        }
        xAxis = PlotAxis(scale: plot.xScale, covering: xs)
        yAxis = PlotAxis(scale: plot.yScale, covering: ys)
        left = 84
        right = plot.width - 24
        top = 48
        bottom = plot.height - 58
    }

    func xPixel(_ x: Double) -> Double? { xAxis.fraction(x).map { left + $0 * (right - left) } }
    func yPixel(_ y: Double) -> Double? { yAxis.fraction(y).map { bottom - $0 * (bottom - top) } }

    func render() -> String {
        var svg: [String] = []
        svg.append(
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(plot.width))" height="\##(Int(plot.height))" "##
                + ##"viewBox="0 0 \##(Int(plot.width)) \##(Int(plot.height))" font-family="Helvetica, Arial, sans-serif" "##
                + ##"font-size="12" role="img">"##)
        svg.append("<title>\(Markup.escape(plot.title))</title>")
        svg.append(##"<rect x="0" y="0" width="\##(Int(plot.width))" height="\##(Int(plot.height))" fill="#ffffff"/>"##)
        svg.append(text(plot.title, x: plot.width / 2, y: 26, attributes: ##"text-anchor="middle" font-size="16" font-weight="bold""##))
        svg += grid()
        svg.append(##"<rect x="\##(c(left))" y="\##(c(top))" width="\##(c(right - left))" height="\##(c(bottom - top))" fill="none" stroke="#333333"/>"##)
        svg += ticks()
        svg.append(text(plot.xLabel, x: (left + right) / 2, y: plot.height - 14, attributes: ##"text-anchor="middle" font-size="13""##))
        let yMiddle = (top + bottom) / 2
        svg.append(text(plot.yLabel, x: 18, y: yMiddle,
                        attributes: ##"text-anchor="middle" font-size="13" transform="rotate(-90 18 \##(c(yMiddle)))""##))
        for (index, series) in plot.series.enumerated() {
            svg += draw(series, colour: Self.palette[index % Self.palette.count], marker: index)
        }
        svg += legend()
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private func grid() -> [String] {
        var lines = [##"<g stroke-width="1">"##]
        for (values, colour) in [(xAxis.minorTicks, "#f2f2f2"), (xAxis.labelledTicks, "#dddddd")] {
            for x in values.compactMap(xPixel) {
                lines.append(##"<line x1="\##(c(x))" y1="\##(c(top))" x2="\##(c(x))" y2="\##(c(bottom))" stroke="\##(colour)"/>"##)
            }
        }
        for (values, colour) in [(yAxis.minorTicks, "#f2f2f2"), (yAxis.labelledTicks, "#dddddd")] {
            for y in values.compactMap(yPixel) {
                lines.append(##"<line x1="\##(c(left))" y1="\##(c(y))" x2="\##(c(right))" y2="\##(c(y))" stroke="\##(colour)"/>"##)
            }
        }
        lines.append("</g>")
        return lines
    }

    private func ticks() -> [String] {
        var lines = [##"<g stroke="#333333" stroke-width="1">"##]
        for (values, length) in [(xAxis.labelledTicks, 6.0), (xAxis.minorTicks, 3.0)] {
            for x in values.compactMap(xPixel) {
                lines.append(##"<line x1="\##(c(x))" y1="\##(c(bottom))" x2="\##(c(x))" y2="\##(c(bottom - length))"/>"##)
            }
        }
        for (values, length) in [(yAxis.labelledTicks, 6.0), (yAxis.minorTicks, 3.0)] {
            for y in values.compactMap(yPixel) {
                lines.append(##"<line x1="\##(c(left))" y1="\##(c(y))" x2="\##(c(left + length))" y2="\##(c(y))"/>"##)
            }
        }
        lines.append("</g>")
        for value in xAxis.labelledTicks {
            guard let x = xPixel(value) else { continue }
            lines.append(text(xAxis.label(value), x: x, y: bottom + 18, attributes: ##"text-anchor="middle" class="tick-label""##))
        }
        for value in yAxis.labelledTicks {
            guard let y = yPixel(value) else { continue }
            lines.append(text(yAxis.label(value), x: left - 8, y: y + 4, attributes: ##"text-anchor="end" class="tick-label""##))
        }
        return lines
    }

    /// The points of `series` both axes can show, with their pixel positions, left to right.
    private func shownPoints(_ series: PlotSeries) -> [(point: PlotPoint, x: Double, y: Double)] {
        series.points.compactMap { point -> (point: PlotPoint, x: Double, y: Double)? in
            guard let x = xPixel(point.x), let y = yPixel(point.y) else { return nil }
            return (point, x, y)
        }.sorted { $0.x < $1.x }
    }

    /// Pixels along the series' fitted line across its shown x range; empty without a fit.
    private func fitPixels(_ series: PlotSeries) -> [(x: Double, y: Double)] {
        let shown = shownPoints(series)
        guard let fit = series.fit, let first = shown.first, let last = shown.last, first.x < last.x,
              let start = xAxis.fraction(first.point.x), let end = xAxis.fraction(last.point.x)
        else { return [] }
        return (0...Self.samplesPerFitLine).compactMap { step in
            let x = xAxis.value(atFraction: start + (end - start) * Double(step) / Double(Self.samplesPerFitLine))
            guard let px = xPixel(x), let py = yPixel(fit.y(at: x)) else { return nil }
            return (px, py)
        }
    }

    private func draw(_ series: PlotSeries, colour: String, marker: Int) -> [String] {
        var lines: [String] = []
        let shown = shownPoints(series)
        if let fit = series.fit, shown.count > 1 {
            lines += fitLine(fit, pixels: fitPixels(series), colour: colour)
        } else if shown.count > 1 {
            let path = shown.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ")
            lines.append(##"<polyline points="\##(path)" fill="none" stroke="\##(colour)" stroke-width="1.2"/>"##)
        }
        for item in shown {
            if let low = item.point.yLow.flatMap(yPixel), let high = item.point.yHigh.flatMap(yPixel) {
                let x = c(item.x)
                lines.append(##"<g stroke="\##(colour)" stroke-width="1.2"><line x1="\##(x)" y1="\##(c(low))" x2="\##(x)" y2="\##(c(high))"/>"##
                    + ##"<line x1="\##(c(item.x - 4))" y1="\##(c(low))" x2="\##(c(item.x + 4))" y2="\##(c(low))"/>"##
                    + ##"<line x1="\##(c(item.x - 4))" y1="\##(c(high))" x2="\##(c(item.x + 4))" y2="\##(c(high))"/></g>"##)
            }
            lines.append(markerShape(marker, x: item.x, y: item.y, colour: colour))
        }
        return lines
    }

    private func fitLine(_ fit: FittedLine, pixels: [(x: Double, y: Double)], colour: String) -> [String] {
        guard let first = pixels.first, let last = pixels.last, pixels.count > 1 else { return [] }
        let path = pixels.map { "\(c($0.x)),\(c($0.y))" }.joined(separator: " ")
        // The label sits 80% along the line, on its lower right when it rises and upper right when it
        // falls (away from the line), kept inside the plot area, with a white halo over grid lines.
        let anchor = pixels[pixels.count * 4 / 5]
        let rises = last.y < first.y
        let labelX = min(anchor.x + 8, right - 70)
        let labelY = min(max(anchor.y + (rises ? 16 : -8), top + 14), bottom - 6)
        return [
            ##"<polyline points="\##(path)" fill="none" stroke="\##(colour)" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
            text(fitLabel(fit), x: labelX, y: labelY,
                 attributes: ##"text-anchor="start" fill="\##(colour)" stroke="#ffffff" stroke-width="3" paint-order="stroke" class="fit-label""##),
        ]
    }

    private func fitLabel(_ fit: FittedLine) -> String {
        (isLogLog ? "slope " : "exponent ") + String(format: "%.2f", fit.exponent)
    }

    private func legend() -> [String] {
        guard !plot.series.isEmpty else { return [] }
        let entries = plot.series.map { series in
            series.fit.map { "\(series.name) (\(fitLabel($0)))" } ?? series.name
        }
        let rowHeight = 18.0
        let boxWidth = 44 + 6.8 * Double(entries.map(\.count).max() ?? 0)
        let boxHeight = rowHeight * Double(entries.count) + 8
        let (x0, y0) = legendCorner(width: boxWidth, height: boxHeight)
        var lines = [##"<g class="legend">"##,
                     ##"<rect x="\##(c(x0))" y="\##(c(y0))" width="\##(c(boxWidth))" height="\##(c(boxHeight))" fill="#ffffff" fill-opacity="0.9" stroke="#bbbbbb"/>"##]
        for (index, entry) in entries.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let y = y0 + 4 + rowHeight * (Double(index) + 0.5)
            let dash = plot.series[index].fit == nil ? "" : ##" stroke-dasharray="6 4""##
            lines.append(##"<line x1="\##(c(x0 + 6))" y1="\##(c(y))" x2="\##(c(x0 + 34))" y2="\##(c(y))" stroke="\##(colour)" stroke-width="1.5"\##(dash)/>"##)
            lines.append(markerShape(index, x: x0 + 20, y: y, colour: colour))
            lines.append(text(entry, x: x0 + 40, y: y + 4, attributes: ""))
        }
        lines.append("</g>")
        return lines
    }

    /// The top-left of the legend box: the plot-area corner (top-left, top-right, bottom-right,
    /// bottom-left, in that preference) whose box covers the fewest markers, error-bar ends and
    /// fitted-line samples.
    private func legendCorner(width: Double, height: Double) -> (x: Double, y: Double) {
        var occupied: [(x: Double, y: Double)] = []
        for series in plot.series {
            for item in shownPoints(series) {
                occupied.append((item.x, item.y))
                for end in [item.point.yLow, item.point.yHigh].compactMap({ $0 }).compactMap(yPixel) {
                    occupied.append((item.x, end))
                }
            }
            occupied += fitPixels(series)
        }
        let margin = 10.0
        let corners = [(left + margin, top + margin), (right - margin - width, top + margin),
                       (right - margin - width, bottom - margin - height), (left + margin, bottom - margin - height)]
        func covered(_ corner: (Double, Double)) -> Int {
            occupied.filter { point in
                point.x >= corner.0 - 5 && point.x <= corner.0 + width + 5
                    && point.y >= corner.1 - 5 && point.y <= corner.1 + height + 5
            }.count
        }
        return corners.min { covered($0) < covered($1) } ?? corners[0]
    }

    /// Circle, square, triangle, diamond, then again.
    private func markerShape(_ index: Int, x: Double, y: Double, colour: String) -> String {
        let style = ##"fill="\##(colour)" stroke="#ffffff" stroke-width="1""##
        let r = 4.5
        switch index % 4 {
        case 0: return ##"<circle cx="\##(c(x))" cy="\##(c(y))" r="\##(c(r))" \##(style)/>"##
        case 1: return ##"<rect x="\##(c(x - r))" y="\##(c(y - r))" width="\##(c(2 * r))" height="\##(c(2 * r))" \##(style)/>"##
        case 2: return ##"<polygon points="\##(c(x)),\##(c(y - r - 1)) \##(c(x + r + 1)),\##(c(y + r)) \##(c(x - r - 1)),\##(c(y + r))" \##(style)/>"##
        default: return ##"<polygon points="\##(c(x)),\##(c(y - r - 1)) \##(c(x + r + 1)),\##(c(y)) \##(c(x)),\##(c(y + r + 1)) \##(c(x - r - 1)),\##(c(y))" \##(style)/>"##
        }
    }

    private func text(_ content: String, x: Double, y: Double, attributes: String) -> String {
        Markup.svgText(content, x: x, y: y, attributes: attributes)
    }

    private func c(_ value: Double) -> String { Markup.coordinate(value) }
}
