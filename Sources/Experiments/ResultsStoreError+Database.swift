import Foundation
internal import GRDB

extension ResultsStoreError {
    /// `error` as a results-store error about the file at `path`: our own errors pass through; SQLite's
    /// become one line (the SQLite message without the SQL statement), "file is not a database" becomes
    /// `.notSQLite`; others keep their first line.
    init(path: String, _ error: any Error) {
        if let error = error as? ResultsStoreError {
            self = error
        } else if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                self = .notSQLite(path: path)
            } else {
                let busy = error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
                self = .database(path: path, message: (error.message ?? "SQLite error \(error.resultCode.rawValue)")
                    + (busy ? " (another process held it for 30 s)" : ""))
            }
        } else {
            let text = (error as? LocalizedError)?.errorDescription ?? String(describing: error)
            self = .database(path: path, message: text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
        }
    }
}
