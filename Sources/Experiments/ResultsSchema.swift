import Foundation
internal import GRDB

/// The results file's schema, its migrations, and the check that a file is ours before we write to it.
///
/// A results file is an SQLite database whose header carries `application_id` = `ResultsSchema.applicationID`
/// (set by the first migration) and whose `grdb_migrations` table lists the migrations applied.
/// Tables:
/// - `run`: one invocation of an experiment (command line, configuration and its hash, git commit,
///   machine, start/finish times; since v2 also status and shard). `uuid` identifies it across files.
/// - `measurement`: one completed sweep point of a run, unique on (experiment, config_hash, point_key).
enum ResultsSchema {
    /// "ATLB" as a big-endian 32-bit integer.
    static let applicationID: Int32 = 0x4154_4C42

    static let migrationIdentifiers = ["v1", "v2"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    uuid TEXT NOT NULL UNIQUE,
                    experiment TEXT NOT NULL,
                    command_line TEXT NOT NULL,
                    config_json TEXT NOT NULL,
                    config_hash TEXT NOT NULL,
                    git_commit TEXT,
                    machine_json TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT
                );
                CREATE TABLE measurement (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    experiment TEXT NOT NULL,
                    config_hash TEXT NOT NULL,
                    point_key TEXT NOT NULL,
                    values_json TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    UNIQUE (experiment, config_hash, point_key)
                );
                CREATE INDEX measurement_run ON measurement(run_id);
                PRAGMA application_id = \(applicationID);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
                UPDATE run SET status = 'finished' WHERE finished_at IS NOT NULL;
                ALTER TABLE run ADD COLUMN shard TEXT;
                """)
        }
        return migrator
    }

    /// Throws unless `path` is missing, empty, an empty SQLite database, or an SQLite database carrying
    /// our application id. Reads the 100-byte header directly and, for an SQLite file without an
    /// application id, opens it read-only; never writes to the file.
    static func checkOwnership(of path: String) throws(ResultsStoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // missing: we create it
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if header.isEmpty { return }  // a 0-byte file is an empty database to SQLite
        guard header.count == 100, header.prefix(16) == Data("SQLite format 3\0".utf8) else {
            throw .notSQLite(path: path)
        }
        let id = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if Int32(bitPattern: id) == applicationID { return }
        guard id == 0 else { throw .foreignDatabase(path: path, detail: "its application_id is \(id)") }
        let tableCount: Int
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            tableCount = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0 }
            try queue.close()
        } catch {
            throw .database(path: path, message: String(describing: error))
        }
        if tableCount > 0 {
            throw .foreignDatabase(path: path, detail: "it holds \(tableCount) schema objects that are not ours")
        }
    }
}
