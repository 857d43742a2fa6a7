import Foundation

/// JSON for `--json` output: stable key order, one object per command run.
enum JSONOutput {
    static func string<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A number with a fixed count of decimals, for tables and text output.
func format(_ value: Double, digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}
