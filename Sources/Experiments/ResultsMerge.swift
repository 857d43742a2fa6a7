import Foundation
internal import GRDB

extension ResultsStore {
    /// Copies the runs, measurements and curves of other results files (e.g. shards') into this one, all in one
    /// transaction: if any source cannot be read, or any insert fails, nothing is added. Runs already
    /// present (same uuid) and measurements already present (same experiment, config hash and point key)
    /// are skipped, so merging twice changes nothing. Returns one summary per source, in order.
    ///
    /// The sources are validated like `openForReading(path:)` and never modified (an older one is read
    /// through a migrated temporary copy). Cost: one insert per row.
    public func merge(from otherPaths: [String]) throws(ResultsStoreError) -> [MergeSummary] {
        try insert(try Self.read(otherPaths))
    }

    /// `merge(from: [otherPath])` for one file.
    public func merge(from otherPath: String) throws(ResultsStoreError) -> MergeSummary {
        try merge(from: [otherPath])[0]
    }

    /// Merges `sources` into the results file at `path`, all or nothing. An existing file gets one
    /// transaction (`merge(from:)`); a missing one is built as a temporary file beside it and moved into
    /// place only when every source merged, so a failure leaves no file behind (if another process created
    /// the file meanwhile, the sources are merged into that one).
    public static func merge(_ sources: [String], into path: String) throws(ResultsStoreError) -> [MergeSummary] {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { return try open(path: path).merge(from: sources) }
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).attnlab-tmp").path
        defer { try? manager.removeItem(atPath: temporary) }
        let contents = try read(sources)
        let summaries: [MergeSummary]
        do {
            let store = try open(path: temporary)
            summaries = try store.insert(contents)
            try store.access { try store.queue.close() }
        } catch {
            throw error.retargeted(from: temporary, to: path)
        }
        do { try manager.linkItem(atPath: temporary, toPath: path) } catch {
            // Another process created the file meanwhile: merge into it instead (duplicates are skipped).
            guard manager.fileExists(atPath: path) else {
                throw .database(path: path, message: "cannot move the merged file into place: \(error.localizedDescription)")
            }
            return try open(path: path).insert(contents)
        }
        return summaries
    }

    /// The runs and measurements of each results file, each validated by `openForReading(path:)`.
    private static func read(_ paths: [String]) throws(ResultsStoreError) -> [SourceContents] {
        var contents: [SourceContents] = []
        for path in paths {
            let source = try openForReading(path: path)
            contents.append(SourceContents(runs: try source.runs(), measurements: try source.measurements(),
                                           curves: try source.curves()))
        }
        return contents
    }

    /// Adds every source's rows in one transaction.
    private func insert(_ sources: [SourceContents]) throws(ResultsStoreError) -> [MergeSummary] {
        try access { try queue.write { db in try sources.map { try Self.insert($0, into: db) } } }
    }

    /// Inserts one source's runs, measurements and curve points, mapping its run ids to this file's.
    private static func insert(_ source: SourceContents, into db: Database) throws -> MergeSummary {
        let (runs, measurements) = (source.runs, source.measurements)
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
            let inserted = try insertMeasurement(
                db, runID: runID, experiment: measurement.experiment, configHash: measurement.configHash,
                pointKey: measurement.pointKey, valuesJSON: measurement.valuesJSON,
                createdAt: StoredDate.text(measurement.createdAt))
            if inserted { summary.measurementsAdded += 1 } else { summary.measurementsAlreadyPresent += 1 }
        }
        for curve in source.curves {
            guard let runID = runIDs[curve.runID] else { throw ResultsStoreError.unknownRun(id: curve.runID) }
            try insertCurvePoint(db, runID: runID, label: curve.label, point: curve.point)
        }
        return summary
    }
}

/// What one source file of a merge holds.
private struct SourceContents {
    let runs: [RunRecord]
    let measurements: [MeasurementRecord]
    let curves: [CurveRecord]
}

extension ResultsStoreError {
    /// The same error, naming `newPath` where it named `oldPath` (a temporary file the user never saw).
    func retargeted(from oldPath: String, to newPath: String) -> ResultsStoreError {
        switch self {
        case .database(let path, let message) where path == oldPath: .database(path: newPath, message: message)
        default: self
        }
    }
}
