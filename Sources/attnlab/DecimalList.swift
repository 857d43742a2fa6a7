import ArgumentParser

/// A comma-separated list of finite decimal numbers on the command line, e.g. `--ratios 0.25,0.5,1`.
/// The syntax and finiteness are checked here; each experiment checks the values' ranges.
struct DecimalList: ExpressibleByArgument {
    let values: [Double]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite ?? false }) else { return nil }
        values = parts.map { $0! }
    }

    init(_ values: [Double]) { self.values = values }

    var defaultValueDescription: String { values.map { String(format: "%.3g", $0) }.joined(separator: ",") }
}
