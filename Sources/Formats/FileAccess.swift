import Foundation

/// Reading whole files and writing them atomically, with failures as `FormatError`s naming the file.
enum FileAccess {
    /// The contents of the regular file at `url` (memory-mapped when safe, so a large file is not copied
    /// twice). Directories, FIFOs, devices (`/dev/stdin`) and sockets are refused with a `.unsupported`
    /// error saying what the path is: the readers need a file's size before reading it.
    static func read(_ url: URL) throws -> Data {
        guard let identity = try FileIdentity(path: url.path) else {
            throw FormatError(file: url.path, kind: .io, problem: "no such file")
        }
        guard identity.kind == .regular else {
            throw FormatError(file: url.path, kind: .unsupported,
                              problem: "is a \(identity.kind.rawValue), not a regular file; save the data to a file and pass its path")
        }
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw FormatError(file: url.path, kind: .io, problem: "cannot read: \(oneLine(error.localizedDescription))")
        }
    }

    /// Writes `data` to `url` atomically under the `OutputFiles` policy: to a temporary file in the same
    /// directory, flushed to disk, then moved into place. With `overwrite == false` an existing file is
    /// never replaced (`.fileExists`); with it, only a regular, writable file is.
    static func writeAtomically(_ data: Data, to url: URL, overwrite: Bool) throws {
        let output = try OutputFiles([url.path], force: overwrite)
        try output.write(data, to: url.path)
        try output.commit()
    }

    /// `text` with line breaks replaced by spaces, for one-line error messages.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
