import Foundation

/// Formats `ResultsStore.export` writes.
public enum ExportFormat: String, CaseIterable, Codable, Sendable {
    /// One row per measurement: run_id, experiment, config_hash, point_key, created_at, then one
    /// `point.<field>` column per sweep-point field and one column per value field (arrays as JSON).
    case csv
    /// `{"runs": [...], "measurements": [...]}` with each point and values as nested objects.
    case json
}

extension ResultsStore {
    /// All measurements (or one experiment's) as CSV or JSON text. O(rows · columns).
    public func export(_ format: ExportFormat, experiment: String? = nil) throws(ResultsStoreError) -> String {
        let measurements = try measurements(experiment: experiment)
        switch format {
        case .csv: return try Self.csv(measurements)
        case .json: return try Self.json(runs: runs(experiment: experiment), measurements: measurements)
        }
    }

    private static func csv(_ measurements: [MeasurementRecord]) throws(ResultsStoreError) -> String {
        let flat = try measurements.map { record throws(ResultsStoreError) in try FlatMeasurement(record) }
        let pointColumns = Set(flat.flatMap(\.point.keys)).sorted()
        let valueColumns = Set(flat.flatMap(\.values.keys)).sorted()
        let header = ["run_id", "experiment", "config_hash", "point_key", "created_at"]
            + pointColumns.map { "point.\($0)" } + valueColumns
        var lines = [header.map(csvField).joined(separator: ",")]
        for (record, row) in zip(measurements, flat) {
            let fixed = [String(record.runID), record.experiment, record.configHash, record.pointKey,
                         StoredDate.text(record.createdAt)]
            let cells = fixed + pointColumns.map { row.point[$0]?.cellText ?? "" }
                + valueColumns.map { row.values[$0]?.cellText ?? "" }
            lines.append(cells.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quote fields holding a comma, quote or line break; double inner quotes.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func json(runs: [RunRecord], measurements: [MeasurementRecord]) throws(ResultsStoreError) -> String {
        do {
            let runValues = try runs.map { run in
                JSONValue.object([
                    "id": .number(Double(run.id)), "uuid": .string(run.uuid), "experiment": .string(run.experiment),
                    "command_line": .string(run.commandLine), "config": try JSONValue(parsing: run.configJSON),
                    "config_hash": .string(run.configHash), "git_commit": run.gitCommit.map(JSONValue.string) ?? .null,
                    "machine": try JSONValue(parsing: run.machineJSON), "shard": run.shard.map(JSONValue.string) ?? .null,
                    "started_at": .string(StoredDate.text(run.startedAt)),
                    "finished_at": run.finishedAt.map { .string(StoredDate.text($0)) } ?? .null,
                    "status": .string(run.status.rawValue),
                ])
            }
            let measurementValues = try measurements.map { record in
                JSONValue.object([
                    "run_id": .number(Double(record.runID)), "experiment": .string(record.experiment),
                    "config_hash": .string(record.configHash), "point": try JSONValue(parsing: record.pointKey),
                    "values": try JSONValue(parsing: record.valuesJSON),
                    "created_at": .string(StoredDate.text(record.createdAt)),
                ])
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = JSONValue.object(["runs": .array(runValues), "measurements": .array(measurementValues)])
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        } catch {
            throw .coding("cannot export as JSON: \(error)")
        }
    }
}

/// A measurement's point and values as flat field maps: nested objects become dotted names
/// (`metrics.ratio`), arrays stay whole.
struct FlatMeasurement {
    let point: [String: JSONValue]
    let values: [String: JSONValue]

    init(_ record: MeasurementRecord) throws(ResultsStoreError) {
        do {
            point = Self.flatten(try JSONValue(parsing: record.pointKey))
            values = Self.flatten(try JSONValue(parsing: record.valuesJSON))
        } catch {
            throw .coding("stored measurement of point \(record.pointKey) is not valid JSON: \(error)")
        }
    }

    private static func flatten(_ value: JSONValue, prefix: String = "") -> [String: JSONValue] {
        guard case .object(let fields) = value else { return prefix.isEmpty ? [:] : [prefix: value] }
        var flat: [String: JSONValue] = [:]
        for (name, field) in fields {
            flat.merge(flatten(field, prefix: prefix.isEmpty ? name : "\(prefix).\(name)")) { first, _ in first }
        }
        return flat
    }
}
