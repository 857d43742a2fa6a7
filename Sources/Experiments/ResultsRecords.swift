import Foundation
internal import GRDB

/// Where a run stands.
public enum RunStatus: String, Codable, Sendable {
    /// Started and not finished: still going, or killed (its measurements are kept and a re-run resumes).
    case running
    case finished
    case failed
    case interrupted
}

/// One invocation of an experiment, as stored in the `run` table.
public struct RunRecord: Codable, Sendable, Equatable {
    /// Row id in this file (differs between files; `uuid` does not).
    public let id: Int64
    public let uuid: String
    public let experiment: String
    public let commandLine: String
    /// Canonical JSON of the configuration.
    public let configJSON: String
    public let configHash: String
    public let gitCommit: String?
    /// JSON of a `MachineDescription`.
    public let machineJSON: String
    /// "i/n", or nil for an unsharded run.
    public let shard: String?
    public let startedAt: Date
    public let finishedAt: Date?
    public let status: RunStatus

    /// The decoded machine description (nil if the stored JSON is not one).
    public var machine: MachineDescription? {
        try? JSONDecoder().decode(MachineDescription.self, from: Data(machineJSON.utf8))
    }

    init(row: Row) throws(ResultsStoreError) {
        id = row["id"]
        uuid = row["uuid"]
        experiment = row["experiment"]
        commandLine = row["command_line"]
        configJSON = row["config_json"]
        configHash = row["config_hash"]
        gitCommit = row["git_commit"]
        machineJSON = row["machine_json"]
        shard = row["shard"]
        startedAt = try StoredDate.parse(row["started_at"])
        finishedAt = try (row["finished_at"] as String?).map { text throws(ResultsStoreError) in try StoredDate.parse(text) }
        let statusText: String = row["status"]
        guard let status = RunStatus(rawValue: statusText) else { throw .coding("unknown run status '\(statusText)'") }
        self.status = status
    }
}

/// One completed sweep point, as stored in the `measurement` table.
public struct MeasurementRecord: Codable, Sendable, Equatable {
    public let runID: Int64
    public let experiment: String
    public let configHash: String
    /// Canonical JSON of the sweep point (see `CanonicalJSON.pointKey`).
    public let pointKey: String
    /// JSON of the measured values (typically a `MeasurementValues`).
    public let valuesJSON: String
    public let createdAt: Date

    /// Decodes the stored values, e.g. `try record.values(as: MeasurementValues.self)`.
    public func values<Values: Decodable>(as type: Values.Type) throws(ResultsStoreError) -> Values {
        do { return try JSONDecoder().decode(type, from: Data(valuesJSON.utf8)) } catch {
            throw .coding("cannot decode values of point \(pointKey) as \(type): \(error)")
        }
    }

    init(row: Row) throws(ResultsStoreError) {
        runID = row["run_id"]
        experiment = row["experiment"]
        configHash = row["config_hash"]
        pointKey = row["point_key"]
        valuesJSON = row["values_json"]
        createdAt = try StoredDate.parse(row["created_at"])
    }
}

/// What `ResultsStore.merge(from:)` copied.
public struct MergeSummary: Equatable, Sendable, CustomStringConvertible {
    public var runsAdded = 0
    public var runsAlreadyPresent = 0
    public var measurementsAdded = 0
    public var measurementsAlreadyPresent = 0

    public var description: String {
        "merged \(runsAdded) runs (\(runsAlreadyPresent) already present) and \(measurementsAdded) measurements (\(measurementsAlreadyPresent) already present)"
    }
}

/// Dates are stored as ISO 8601 text in UTC with milliseconds, readable in any SQLite client.
enum StoredDate {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func text(_ date: Date) -> String { style.format(date) }

    static func parse(_ text: String) throws(ResultsStoreError) -> Date {
        do { return try style.parse(text) } catch { throw .coding("bad stored date '\(text)'") }
    }
}
