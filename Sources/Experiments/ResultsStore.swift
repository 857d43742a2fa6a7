import Foundation
internal import GRDB

/// The SQLite file that keeps every run and measurement, so sweeps can be resumed, split and compared.
///
/// Each `record` is its own committed transaction: a sweep killed at any moment keeps every point
/// recorded before, and a re-run with the same configuration asks `completedPoints` and skips them.
/// A point is unique on (experiment, config hash, point key), so resumes and merges cannot duplicate it.
///
/// Typical use by an experiment:
/// ```swift
/// let store = try ResultsStore.open(path: ResultsStore.defaultFileName)
/// let run = try store.beginRun(experiment: "scaling", config: config, machine: .current())
/// let done = try store.completedPoints(experiment: run.experiment, configHash: run.configHash)
/// for (_, point) in shard.select(points) where !done.contains(try CanonicalJSON.pointKey(point)) {
///     let sample = measure(policy) { … }
///     try store.record(run: run, pointKey: try CanonicalJSON.pointKey(point), values: MeasurementValues(sample))
/// }
/// try store.finishRun(run)
/// ```
public final class ResultsStore: Sendable {
    /// The file name used when the user gives none.
    public static let defaultFileName = "attnlab-results.sqlite"

    public let path: String
    let queue: DatabaseQueue
    /// A migrated temporary copy this store reads instead of the file at `path` (`openForReading`),
    /// removed with the store.
    private let temporaryCopy: URL?

    private init(path: String, queue: DatabaseQueue, temporaryCopy: URL? = nil) {
        self.path = path
        self.queue = queue
        self.temporaryCopy = temporaryCopy
    }

    deinit {
        if let temporaryCopy { try? FileManager.default.removeItem(at: temporaryCopy.deletingLastPathComponent()) }
    }

    /// Opens the results file at `path`, creating it if missing and migrating it if older. Refuses, with
    /// the file untouched, anything that is not an AttentionLab results file (a directory, device or other
    /// special file, a non-SQLite file, another program's database), a read-only file (no write bit, even
    /// for root) and a file from a newer version.
    ///
    /// Safe when several processes open (and so create or migrate) the same file at once: the check and
    /// the migrations run in one exclusive transaction, which the others wait for (up to 30 s).
    public static func open(path: String) throws(ResultsStoreError) -> ResultsStore {
        try open(path: path, migratingUpTo: nil)
    }

    /// `open(path:)`, applying migrations only up to `lastMigration` (tests build old files with it).
    static func open(path: String, migratingUpTo lastMigration: String?) throws(ResultsStoreError) -> ResultsStore {
        try checkKind(of: path, mustExist: false)
        let permissions = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int
        if let permissions, permissions & 0o222 == 0 { throw .readOnly(path: path) }
        try ResultsSchema.checkHeader(of: path)
        let store = ResultsStore(path: path, queue: try makeQueue(path: path, readonly: false))
        try store.access {
            try store.queue.writeWithoutTransaction { db in
                try db.inTransaction(.exclusive) {
                    try ResultsSchema.prepare(db, path: path, upTo: lastMigration)
                    return .commit
                }
            }
        }
        return store
    }

    /// Opens an existing results file for reading only: never creates, migrates or otherwise writes it.
    /// An empty file, a special file, a non-SQLite file and another program's database are refused; a file
    /// from an older version is read through a migrated temporary copy.
    public static func openForReading(path: String) throws(ResultsStoreError) -> ResultsStore {
        try checkKind(of: path, mustExist: true)
        try ResultsSchema.checkHeader(of: path)
        if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 0 { throw .empty(path: path) }
        let original = ResultsStore(path: path, queue: try makeQueue(path: path, readonly: true))
        let current = try original.access {
            try original.queue.read { db in
                try ResultsSchema.checkOwnership(db, path: path)
                guard try db.tableExists("run") else { throw ResultsStoreError.empty(path: path) }
                let applied = try ResultsSchema.appliedMigrations(db)
                let unknown = applied.subtracting(ResultsSchema.migrations.map(\.identifier)).sorted()
                if !unknown.isEmpty { throw ResultsStoreError.newerSchema(path: path, unknownMigrations: unknown) }
                return applied.count == ResultsSchema.migrations.count
            }
        }
        if current { return original }
        try original.access { try original.queue.close() }
        return try migratedCopy(of: path)
    }

    /// A store on a migrated copy of the older results file at `path`, in a temporary directory.
    private static func migratedCopy(of path: String) throws(ResultsStoreError) -> ResultsStore {
        let manager = FileManager.default
        let directory = manager.temporaryDirectory.appendingPathComponent("attnlab-results-\(UUID().uuidString)")
        let copy = directory.appendingPathComponent("copy.sqlite")
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try manager.copyItem(atPath: path, toPath: copy.path)
        } catch {
            try? manager.removeItem(at: directory)
            throw .database(path: path, message: "cannot copy it to migrate it: \(error.localizedDescription)")
        }
        do {
            let migrated = try open(path: copy.path)
            try migrated.access { try migrated.queue.close() }
            return ResultsStore(path: path, queue: try makeQueue(path: copy.path, readonly: true), temporaryCopy: copy)
        } catch {
            try? manager.removeItem(at: directory)
            throw error
        }
    }

    /// A queue on `path` that waits up to 30 s for other processes' locks.
    private static func makeQueue(path: String, readonly: Bool) throws(ResultsStoreError) -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)  // another process may be recording into the same file
        configuration.readonly = readonly
        do { return try DatabaseQueue(path: path, configuration: configuration) } catch {
            throw ResultsStoreError(path: path, error)
        }
    }

    /// Throws unless `path` is a regular file (through symbolic links), or missing when `mustExist` is false.
    private static func checkKind(of path: String, mustExist: Bool) throws(ResultsStoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            if mustExist { throw .fileNotFound(path: path) }
            return
        }
        let resolved = (path as NSString).resolvingSymlinksInPath
        let type = (try? FileManager.default.attributesOfItem(atPath: resolved)[.type]) as? FileAttributeType
        let kind: String? = switch type {
        case .typeRegular?: nil
        case .typeDirectory?: "a directory"
        case .typeCharacterSpecial?: "a character device"
        case .typeBlockSpecial?: "a block device"
        case .typeSocket?: "a socket"
        default: "a FIFO or other special file"
        }
        if let kind { throw .notAFile(path: path, kind: kind) }
    }

    /// Starts a run and stores it with status `.running`.
    /// - Parameters:
    ///   - config: everything that determines the measurements (not shard or output paths); its
    ///     canonical JSON is stored and its hash keys the measurements for resuming.
    ///   - commandLine: defaults to this process's arguments.
    ///   - gitCommit: defaults to `git rev-parse HEAD` in the current directory, nil without git.
    public func beginRun(
        experiment: String, config: some Encodable, machine: MachineDescription, shard: Shard? = nil,
        commandLine: String = ProcessInfo.processInfo.arguments.joined(separator: " "),
        gitCommit: String? = GitCommit.current(), startedAt: Date = Date()
    ) throws(ResultsStoreError) -> RunRecord {
        let configJSON: String
        let machineJSON: String
        do {
            configJSON = try CanonicalJSON.string(config)
            machineJSON = try CanonicalJSON.string(machine)
        } catch {
            throw .coding("cannot encode the configuration of \(experiment): \(error)")
        }
        return try access {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO run (uuid, experiment, command_line, config_json, config_hash, git_commit,
                                         machine_json, started_at, status, shard)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [UUID().uuidString.lowercased(), experiment, commandLine, configJSON,
                                CanonicalJSON.hash(text: configJSON), gitCommit, machineJSON,
                                StoredDate.text(startedAt), RunStatus.running.rawValue, shard?.description])
                return try Self.fetchRun(db, id: db.lastInsertedRowID)
            }
        }
    }

    /// Marks a run as ended with `status` at `finishedAt`.
    public func finishRun(_ run: RunRecord, status: RunStatus = .finished, finishedAt: Date = Date())
        throws(ResultsStoreError)
    {
        try access {
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE run SET status = ?, finished_at = ? WHERE id = ?",
                    arguments: [status.rawValue, StoredDate.text(finishedAt), run.id])
                if db.changesCount == 0 { throw ResultsStoreError.unknownRun(id: run.id) }
            }
        }
    }

    /// Point keys already measured for this experiment and configuration, by any run.
    public func completedPoints(experiment: String, configHash: String) throws(ResultsStoreError) -> Set<String> {
        try access {
            try queue.read { db in
                Set(try String.fetchAll(
                    db, sql: "SELECT point_key FROM measurement WHERE experiment = ? AND config_hash = ?",
                    arguments: [experiment, configHash]))
            }
        }
    }

    /// Stores one measured point of `run` and commits it at once. Returns false, storing nothing, when
    /// the point is already stored for the run's experiment and configuration.
    @discardableResult
    public func record(run: RunRecord, pointKey: String, values: some Encodable, createdAt: Date = Date())
        throws(ResultsStoreError) -> Bool
    {
        let valuesJSON: String
        do { valuesJSON = try CanonicalJSON.string(values) } catch {
            throw .coding("cannot encode the values of point \(pointKey): \(error)")
        }
        return try access {
            try queue.write { db in
                try Self.insertMeasurement(
                    db, runID: run.id, experiment: run.experiment, configHash: run.configHash, pointKey: pointKey,
                    valuesJSON: valuesJSON, createdAt: StoredDate.text(createdAt))
            }
        }
    }

    /// Runs, oldest first; all of them or those of one experiment.
    public func runs(experiment: String? = nil) throws(ResultsStoreError) -> [RunRecord] {
        let rows = try access {
            try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM run WHERE ?1 IS NULL OR experiment = ?1 ORDER BY id",
                    arguments: [experiment])
            }
        }
        return try rows.map { row throws(ResultsStoreError) in try RunRecord(row: row) }
    }

    /// Measurements in the order they were recorded; all, or those of one experiment (and configuration).
    public func measurements(experiment: String? = nil, configHash: String? = nil)
        throws(ResultsStoreError) -> [MeasurementRecord]
    {
        let rows = try access {
            try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM measurement
                        WHERE (?1 IS NULL OR experiment = ?1) AND (?2 IS NULL OR config_hash = ?2) ORDER BY id
                        """,
                    arguments: [experiment, configHash])
            }
        }
        return try rows.map { row throws(ResultsStoreError) in try MeasurementRecord(row: row) }
    }

    // MARK: - Shared with merge

    /// Inserts a measurement unless its (experiment, config hash, point key) is present; true if inserted.
    static func insertMeasurement(
        _ db: Database, runID: Int64, experiment: String, configHash: String, pointKey: String,
        valuesJSON: String, createdAt: String
    ) throws -> Bool {
        try db.execute(
            sql: """
                INSERT INTO measurement (run_id, experiment, config_hash, point_key, values_json, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (experiment, config_hash, point_key) DO NOTHING
                """,
            arguments: [runID, experiment, configHash, pointKey, valuesJSON, createdAt])
        return db.changesCount == 1
    }

    static func fetchRun(_ db: Database, id: Int64) throws -> RunRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else {
            throw ResultsStoreError.unknownRun(id: id)
        }
        return try RunRecord(row: row)
    }

    /// Runs `body`, passing our own errors through and wrapping SQLite's as one-line `.database` errors.
    func access<T>(_ body: () throws -> T) throws(ResultsStoreError) -> T {
        do { return try body() } catch { throw ResultsStoreError(path: path, error) }
    }
}
