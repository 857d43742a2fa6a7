import Foundation

/// Why the results store refused a file or an operation. Files it refuses are left untouched.
public enum ResultsStoreError: Error, Equatable, CustomStringConvertible {
    /// The file exists but is not an SQLite database.
    case notSQLite(path: String)
    /// The file is an SQLite database written by another program.
    case foreignDatabase(path: String, detail: String)
    /// The file was written by a newer AttentionLab with migrations this version does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    case fileNotFound(path: String)
    /// A 0-byte file, or an SQLite database without our tables, given where results are read.
    case empty(path: String)
    /// A directory or special file (device, FIFO, socket) where a results file was expected.
    case notAFile(path: String, kind: String)
    /// A results file without write permission, given where rows would be added.
    case readOnly(path: String)
    /// SQLite failed (disk full, locked, corrupt, …).
    case database(path: String, message: String)
    /// A configuration or measurement value could not be encoded, or a stored one decoded.
    case coding(String)
    case unknownRun(id: Int64)

    public var description: String {
        switch self {
        case .notSQLite(let path):
            "'\(path)' is not an SQLite database; refusing to use it as a results file"
        case .foreignDatabase(let path, let detail):
            "'\(path)' is an SQLite database that AttentionLab did not create (\(detail)); refusing to modify it"
        case .newerSchema(let path, let unknown):
            "'\(path)' was written by a newer AttentionLab (unknown migrations: \(unknown.joined(separator: ", "))); upgrade attnlab to use it"
        case .fileNotFound(let path):
            "results file '\(path)' does not exist"
        case .empty(let path):
            "'\(path)' is empty, not a results file; `attnlab experiment --db` creates one"
        case .notAFile(let path, let kind):
            "'\(path)' is \(kind), not a results file"
        case .readOnly(let path):
            "'\(path)' is read-only; refusing to add to it"
        case .database(let path, let message):
            "results database '\(path)': \(message)"
        case .coding(let message):
            "results store: \(message)"
        case .unknownRun(let id):
            "results store has no run with id \(id)"
        }
    }
}
