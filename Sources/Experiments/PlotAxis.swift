import Foundation

/// How an axis maps values to positions.
public enum AxisScale: String, Codable, Sendable {
    /// Equal distances for equal ratios (decades); only positive values can be shown.
    case logarithmic
    case linear
}

/// One axis of a plot: its domain (the data's range plus 5% padding), tick positions and labels.
struct PlotAxis {
    let scale: AxisScale
    /// Domain ends, in the axis's transformed space (log10 of the value for a logarithmic axis).
    let low: Double
    let high: Double
    /// Values carrying a tick, a grid line and a label.
    let labelledTicks: [Double]
    /// Values carrying only a short tick and a faint grid line.
    let minorTicks: [Double]

    /// An axis covering `values` (values a logarithmic axis cannot show are ignored).
    init(scale: AxisScale, covering values: [Double]) {
        self.scale = scale
        let shown = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        let transformed = shown.map { scale == .logarithmic ? log10($0) : $0 }
        var low = transformed.min() ?? (scale == .logarithmic ? 0 : 0)
        var high = transformed.max() ?? (scale == .logarithmic ? 1 : 1)
        if high - low < 1e-12 {
            let half = scale == .logarithmic ? 0.5 : max(abs(low) * 0.1, 1)
            low -= half
            high += half
        }
        let padding = 0.05 * (high - low)
        low -= padding
        high += padding
        self.low = low
        self.high = high
        switch scale {
        case .logarithmic: (labelledTicks, minorTicks) = Self.logTicks(low: low, high: high)
        case .linear: (labelledTicks, minorTicks) = Self.linearTicks(low: low, high: high)
        }
    }

    /// Position of `value` along the axis, 0 at `low` and 1 at `high`; nil if the axis cannot show it.
    func fraction(_ value: Double) -> Double? {
        guard value.isFinite, scale == .linear || value > 0 else { return nil }
        let transformed = scale == .logarithmic ? log10(value) : value
        return (transformed - low) / (high - low)
    }

    /// The value at position `fraction` (inverse of `fraction(_:)`).
    func value(atFraction fraction: Double) -> Double {
        let transformed = low + fraction * (high - low)
        return scale == .logarithmic ? pow(10, transformed) : transformed
    }

    /// Decades are labelled; 2…9 × each decade are minor ticks. When the domain spans less than two
    /// decades, the 2× and 5× ticks are labelled as well (and all of them if that still gives fewer
    /// than two labels).
    private static func logTicks(low: Double, high: Double) -> (labelled: [Double], minor: [Double]) {
        var decades: [Double] = []
        var minor: [Double] = []
        for exponent in Int(floor(low))...Int(ceil(high)) {
            let decade = pow(10, Double(exponent))
            if (low...high).contains(Double(exponent)) { decades.append(decade) }
            for mantissa in 2...9 where (low...high).contains(log10(Double(mantissa) * decade)) {
                minor.append(Double(mantissa) * decade)
            }
        }
        if high - low >= 2 && decades.count >= 2 { return (decades, minor) }
        let twosAndFives = minor.filter { value in
            let mantissa = (value / pow(10, floor(log10(value) + 1e-9))).rounded()
            return mantissa == 2 || mantissa == 5
        }
        if decades.count + twosAndFives.count >= 2 {
            return ((decades + twosAndFives).sorted(), minor.filter { !twosAndFives.contains($0) })
        }
        return ((decades + minor).sorted(), [])
    }

    /// A step of 1, 2 or 5 × 10^k nearest to a fifth of the domain (about 4…8 labelled ticks); minor
    /// ticks split each step in 4 or 5.
    private static func linearTicks(low: Double, high: Double) -> (labelled: [Double], minor: [Double]) {
        let rough = (high - low) / 5
        let power = pow(10, floor(log10(rough)))
        let mantissa: Double = switch rough / power {
        case ..<1.5: 1
        case ..<3: 2
        case ..<7: 5
        default: 10
        }
        let step = mantissa * power
        let minorStep = step / (mantissa == 2 ? 4 : 5)
        func multiples(of step: Double) -> [Double] {
            let first = Int(ceil(low / step - 1e-9))
            let last = Int(floor(high / step + 1e-9))
            return first <= last ? (first...last).map { Double($0) * step } : []
        }
        let labelled = multiples(of: step)
        let minor = multiples(of: minorStep).filter { value in
            !labelled.contains { abs($0 - value) < minorStep * 1e-6 }
        }
        return (labelled, minor)
    }

    /// Tick label: decades as plain numbers from 0.001 to 10000, else 10ᵏ; others like "2×10⁵" or "0.25".
    func label(_ value: Double) -> String {
        guard scale == .logarithmic else {
            return value == 0 ? "0" : NumberText.short(value, digits: 6)
        }
        let exponent = Int(floor(log10(value) + 1e-9))
        let mantissa = (value / pow(10, Double(exponent))).rounded()
        if (-3...4).contains(exponent) { return NumberText.short(value, digits: 6) }
        let power = "10" + Self.superscript(exponent)
        return mantissa == 1 ? power : "\(Int(mantissa))×\(power)"
    }

    private static func superscript(_ number: Int) -> String {
        let digits: [Character: Character] = [
            "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
        ]
        return String(String(number).map { digits[$0] ?? $0 })
    }
}
