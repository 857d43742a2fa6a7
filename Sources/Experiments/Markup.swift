import Foundation

/// Text escaping for SVG, HTML and Markdown output.
enum Markup {
    /// Escapes the five XML special characters, for element text and quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A Markdown table cell: pipes escaped, line breaks as spaces.
    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A coordinate with two decimals, for SVG attributes.
    static func coordinate(_ value: Double) -> String { String(format: "%.2f", value) }

    /// An SVG `<text>` element at (x, y) with extra `attributes` (may be empty) and escaped content.
    static func svgText(_ content: String, x: Double, y: Double, attributes: String) -> String {
        let extra = attributes.isEmpty ? "" : " " + attributes
        return ##"<text x="\##(coordinate(x))" y="\##(coordinate(y))"\##(extra)>\##(escape(content))</text>"##
    }
}
