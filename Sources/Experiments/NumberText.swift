import Foundation

/// Compact number formatting shared by tables, plots and exports.
enum NumberText {
    /// At most `digits` significant digits, no trailing zeros, no exponent for 1e-4 ≤ |x| < 1e6
    /// ("2", "0.15", "2.01", "4096", "1.5e+07"); integers below 1e15 print exactly.
    static func short(_ value: Double, digits: Int = 3) -> String {
        if !value.isFinite { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e6 {
            let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
            var text = String(format: "%.\(decimals)f", value)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text
        }
        return String(format: "%.\(max(0, digits - 1))e", value)
    }
}
