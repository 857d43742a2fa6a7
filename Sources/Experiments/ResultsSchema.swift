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
/// - `curve` (v3): learning-curve points of training runs: (step, train loss, validation loss and metric)
///   per run and label (the sweep point's key, or `train` for `attnlab train`), unique on (run, label, step).
enum ResultsSchema {
    /// "ATLB" as a big-endian 32-bit integer.
    static let applicationID: Int32 = 0x4154_4C42

    /// The migrations in order: an identifier and the SQL that applies it. Applied ones are listed in
    /// `grdb_migrations` (the table GRDB's migrator keeps, so files written by earlier versions, which
    /// used it, carry on).
    static let migrations: [(identifier: String, sql: String)] = [
        ("v1", """
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
            """),
        ("v2", """
            ALTER TABLE run ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
            UPDATE run SET status = 'finished' WHERE finished_at IS NOT NULL;
            ALTER TABLE run ADD COLUMN shard TEXT;
            """),
        ("v3", """
            CREATE TABLE curve (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                label TEXT NOT NULL,
                step INTEGER NOT NULL,
                train_loss REAL NOT NULL,
                validation_loss REAL NOT NULL,
                validation_metric REAL NOT NULL,
                UNIQUE (run_id, label, step)
            );
            CREATE INDEX curve_run ON curve(run_id);
            """),
    ]

    /// Checks that the database is ours (or empty) and applies the missing migrations, up to and including
    /// `lastMigration` (all when nil). Run it inside one exclusive transaction: a second process opening
    /// the same new file waits (busy timeout) and then finds the schema complete, so concurrent creation
    /// and migration are safe. Throws, changing nothing, for a foreign database or one from a newer version.
    static func prepare(_ db: Database, path: String, upTo lastMigration: String?) throws {
        try checkOwnership(db, path: path)
        let applied = try appliedMigrations(db)
        let unknown = applied.subtracting(migrations.map(\.identifier)).sorted()
        if !unknown.isEmpty { throw ResultsStoreError.newerSchema(path: path, unknownMigrations: unknown) }
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        for migration in migrations where !applied.contains(migration.identifier) {
            try db.execute(sql: migration.sql)
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
            if migration.identifier == lastMigration { break }
        }
    }

    /// The identifiers in `grdb_migrations`; empty for a new file.
    static func appliedMigrations(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    /// Throws unless the database carries our application id or is empty (no schema objects at all).
    static func checkOwnership(_ db: Database, path: String) throws {
        let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if id == applicationID { return }
        guard id == 0 else {
            throw ResultsStoreError.foreignDatabase(path: path, detail: "its application_id is \(UInt32(bitPattern: id))")
        }
        let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if objects > 0 {
            throw ResultsStoreError.foreignDatabase(path: path, detail: "it holds \(objects) schema objects that are not ours")
        }
    }

    /// Throws `.notSQLite` when the file at `path` has at least 16 bytes and they are not SQLite's header
    /// string, without opening it with SQLite (which would refuse it less clearly).
    static func checkHeader(of path: String) throws(ResultsStoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.count == 16 && header != Data("SQLite format 3\0".utf8) { throw .notSQLite(path: path) }
    }
}
