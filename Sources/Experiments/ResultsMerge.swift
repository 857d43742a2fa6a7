import Foundation
internal import GRDB

extension ResultsStore {
    /// Copies the runs and measurements of another results file (e.g. one shard's) into this one, in
    /// one transaction. Runs already present (same uuid) and measurements already present (same
    /// experiment, config hash and point key) are skipped, so merging twice changes nothing.
    ///
    /// The other file is validated like `open(path:)` and never modified: an older one is migrated in a
    /// temporary copy. Cost: one copy of the file plus one insert per row.
    public func merge(from otherPath: String) throws(ResultsStoreError) -> MergeSummary {
        guard FileManager.default.fileExists(atPath: otherPath) else { throw .fileNotFound(path: otherPath) }
        try ResultsSchema.checkOwnership(of: otherPath)
        let (runs, measurements) = try Self.readCopy(of: otherPath)

        return try access {
            try queue.write { db in
                var summary = MergeSummary()
                var runIDs: [Int64: Int64] = [:]  // other file's run id → this file's
                for run in runs {
                    if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE uuid = ?", arguments: [run.uuid]) {
                        runIDs[run.id] = existing
                        summary.runsAlreadyPresent += 1
                        continue
                    }
                    try db.execute(
                        sql: """
                            INSERT INTO run (uuid, experiment, command_line, config_json, config_hash, git_commit,
                                             machine_json, started_at, finished_at, status, shard)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [run.uuid, run.experiment, run.commandLine, run.configJSON, run.configHash,
                                    run.gitCommit, run.machineJSON, StoredDate.text(run.startedAt),
                                    run.finishedAt.map(StoredDate.text), run.status.rawValue, run.shard])
                    runIDs[run.id] = db.lastInsertedRowID
                    summary.runsAdded += 1
                }
                for measurement in measurements {
                    guard let runID = runIDs[measurement.runID] else { throw ResultsStoreError.unknownRun(id: measurement.runID) }
                    let inserted = try Self.insertMeasurement(
                        db, runID: runID, experiment: measurement.experiment, configHash: measurement.configHash,
                        pointKey: measurement.pointKey, valuesJSON: measurement.valuesJSON,
                        createdAt: StoredDate.text(measurement.createdAt))
                    if inserted { summary.measurementsAdded += 1 } else { summary.measurementsAlreadyPresent += 1 }
                }
                return summary
            }
        }
    }

    /// Reads every run and measurement of `path` from a migrated temporary copy.
    private static func readCopy(of path: String) throws(ResultsStoreError)
        -> (runs: [RunRecord], measurements: [MeasurementRecord])
    {
        let manager = FileManager.default
        let directory = manager.temporaryDirectory.appendingPathComponent("attnlab-merge-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("source.sqlite").path
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try manager.copyItem(atPath: path, toPath: copy)
        } catch {
            throw .database(path: path, message: "cannot copy it for merging: \(error)")
        }
        let source: ResultsStore
        do { source = try open(path: copy) } catch {
            if case .newerSchema(_, let unknown) = error { throw .newerSchema(path: path, unknownMigrations: unknown) }
            throw error
        }
        let result = (try source.runs(), try source.measurements())
        try source.access { try source.queue.close() }
        return result
    }
}
