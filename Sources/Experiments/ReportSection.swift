import Foundation

/// A table of text cells for a report.
public struct ReportTable: Codable, Sendable, Equatable {
    public var headers: [String]
    /// Each row has one cell per header.
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
    }

    /// One row per measurement: the sweep point's fields (`point.…`) then every scalar value field
    /// (arrays such as the raw `seconds` are left out), columns sorted by name.
    public init(measurements: [MeasurementRecord]) throws(ResultsStoreError) {
        let flat = try measurements.map { record throws(ResultsStoreError) in try FlatMeasurement(record) }
        func isScalar(_ value: JSONValue) -> Bool {
            switch value {
            case .array, .object: false
            default: true
            }
        }
        let pointColumns = Set(flat.flatMap(\.point.keys)).sorted()
        let valueColumns = Set(flat.flatMap { $0.values.filter { isScalar($0.value) }.keys }).sorted()
        headers = pointColumns.map { "point.\($0)" } + valueColumns
        rows = flat.map { row in
            pointColumns.map { row.point[$0].map(Self.cell) ?? "" } + valueColumns.map { row.values[$0].map(Self.cell) ?? "" }
        }
    }

    private static func cell(_ value: JSONValue) -> String {
        value.number.map { NumberText.short($0, digits: 4) } ?? value.cellText
    }
}

/// One experiment's part of a report: what it tested, the verdicts, a data table and plots.
/// Experiments build these from the results store and hand them to `ReportWriter`.
public struct ReportSection: Sendable {
    public var title: String
    /// A paragraph of plain text: what was measured and how.
    public var summary: String
    public var claims: [ClaimResult]
    public var table: ReportTable?
    public var plots: [LogLogPlot]

    public init(title: String, summary: String = "", claims: [ClaimResult] = [], table: ReportTable? = nil,
                plots: [LogLogPlot] = []) {
        self.title = title
        self.summary = summary
        self.claims = claims
        self.table = table
        self.plots = plots
    }
}
