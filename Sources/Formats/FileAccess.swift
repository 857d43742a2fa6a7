import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading whole files and writing them atomically, with failures as `FormatError`s naming the file.
enum FileAccess {
    /// The contents of `url` (memory-mapped when safe, so a large file is not copied twice).
    static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch CocoaError.fileReadNoSuchFile {
            throw FormatError(file: url.path, kind: .io, problem: "no such file")
        } catch {
            throw FormatError(file: url.path, kind: .io, problem: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Writes `data` to `url` atomically: to a temporary file in the same directory, flushed to disk, then
    /// renamed over `url`. With `overwrite == false` an existing file is never replaced (the final step is a
    /// hard link, which fails if the name exists) and a `.fileExists` error is thrown. On a file system
    /// without hard links the last step falls back to checking for the name and renaming.
    static func writeAtomically(_ data: Data, to url: URL, overwrite: Bool) throws {
        let path = url.path
        let existsError = FormatError(file: path, kind: .fileExists, problem: "file exists; not replaced without overwrite")
        if !overwrite && FileManager.default.fileExists(atPath: path) { throw existsError }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        defer { unlink(temporary) }
        do {
            try data.write(to: URL(fileURLWithPath: temporary), options: .withoutOverwriting)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
        } catch {
            throw FormatError(file: path, kind: .io, problem: "cannot write: \(error.localizedDescription)")
        }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw systemError(path, "cannot rename into place") }
        } else if link(temporary, path) != 0 {
            guard errno != EEXIST, !FileManager.default.fileExists(atPath: path) else { throw existsError }
            guard rename(temporary, path) == 0 else { throw systemError(path, "cannot rename into place") }
        }
    }

    private static func systemError(_ path: String, _ action: String) -> FormatError {
        FormatError(file: path, kind: .io, problem: "\(action): \(String(cString: strerror(errno)))")
    }
}
