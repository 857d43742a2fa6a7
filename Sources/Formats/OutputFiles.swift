import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files one command writes, under one policy, all or nothing.
///
/// The policy, checked for every path before anything is computed (`init`):
/// - a path is never empty, never one of the command's `inputs` (compared by device and inode, so a
///   relative path, `./`, a symbolic link or a hard link to an input is caught), and never twice in one command;
/// - an existing file is replaced only with `force`, and only if it is a regular file that is not read-only
///   (its permission bits carry over to the new file); a directory, FIFO, socket, device or symbolic link at
///   the path is refused, with or without `force`;
/// - the containing directory must exist and be writable: a temporary file is created there at once
///   (a hidden `.<name>.<random>.attnlab-tmp`).
///
/// `write` fills the temporaries; `commit` moves them all into place (a rename, or a link that cannot
/// replace a file created meanwhile), undoing the earlier ones if a later one fails. Until `commit`
/// succeeds, the paths keep their old contents; a command that fails or is killed leaves no partial
/// file under an output's name (a killed one may leave a hidden temporary behind, unless
/// `removeTemporariesOnInterrupt` handles the signal). Dropping the value without `commit` removes the
/// temporaries.
public final class OutputFiles {
    /// One output: where it goes, its temporary, and what it replaces.
    private struct Target {
        let path: String
        let temporary: String
        let descriptor: Int32
        /// The identity of the file it replaces (nil for a new file).
        let replaced: FileIdentity?
        var written = false
    }

    private var targets: [Target] = []
    private let force: Bool
    private var committed = false

    /// Checks `paths` against the policy and creates their temporaries.
    /// - Parameters:
    ///   - inputs: paths the command reads; missing ones are ignored (reading them reports that).
    ///   - force: replace existing regular files.
    /// - Throws: a `FormatError` naming the first path that breaks the policy: `.fileExists` without
    ///   `force`, `.refused` for inputs, special files, symbolic links and read-only files, `.io` otherwise.
    public init(_ paths: [String], inputs: [String] = [], force: Bool) throws(FormatError) {
        self.force = force
        var inputIdentities: [(path: String, identity: FileIdentity)] = []
        for input in inputs {
            if let identity = try FileIdentity(path: input) { inputIdentities.append((input, identity)) }
        }
        var seen: [(path: String, key: String)] = []
        for path in paths {
            let (replaced, directory) = try Self.check(path, inputs: inputIdentities, force: force)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let key = replaced.map { "\($0.device):\($0.inode)" } ?? "\(directory.device):\(directory.inode)/\(name)"
            if let earlier = seen.first(where: { $0.key == key }) {
                throw FormatError(file: path, kind: .refused, problem: "is the same file as the output '\(earlier.path)'")
            }
            seen.append((path, key))
            let temporary = Self.directoryPath(of: path) + "/.\(name).\(UUID().uuidString.prefix(8)).attnlab-tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o666))
            if descriptor >= 0 { liveTemporaries.withLock { _ = $0.insert(temporary) } }
            guard descriptor >= 0 else {
                throw FormatError(file: path, kind: .io,
                                  problem: "cannot write in its directory: \(String(cString: strerror(errno)))")
            }
            targets.append(Target(path: path, temporary: temporary, descriptor: descriptor, replaced: replaced))
            if let replaced, fchmod(descriptor, mode_t(replaced.permissions)) != 0 {
                throw Self.systemError(path, "cannot keep its permissions")
            }
        }
    }

    deinit {
        for target in targets {
            close(target.descriptor)
            if !committed { Self.remove(target.temporary) }
        }
    }

    /// Writes the whole contents of output `path` (one of the paths given to `init`) to its temporary,
    /// flushed to disk.
    public func write(_ data: Data, to path: String) throws(FormatError) {
        guard let index = targets.firstIndex(where: { $0.path == path }) else {
            preconditionFailure("\(path) is not one of this command's outputs")
        }
        let descriptor = targets[index].descriptor
        let failure: Int32? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return errno }
                offset += count
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        if let failure {
            throw FormatError(file: path, kind: .io, problem: "cannot write: \(String(cString: strerror(failure)))")
        }
        targets[index].written = true
    }

    /// Moves every output into place, or none: if one fails, those already moved are put back.
    /// Requires every output to have been written.
    public func commit() throws(FormatError) {
        precondition(targets.allSatisfy(\.written), "every output must be written before commit")
        var moved: [(target: Target, backup: String?)] = []
        for target in targets {
            do throws(FormatError) {
                moved.append((target, try Self.move(target, force: force)))
            } catch {
                for (done, backup) in moved.reversed() {
                    if let backup {
                        rename(backup, done.path)
                        liveTemporaries.withLock { _ = $0.remove(backup) }
                    } else {
                        unlink(done.path)
                    }
                }
                throw error
            }
        }
        for (_, backup) in moved { if let backup { Self.remove(backup) } }
        committed = true
    }

    /// Moves one temporary into place; returns the hard link that keeps the replaced file until the
    /// whole commit succeeded (nil for a new file). A file that appeared since `init` is replaced only
    /// with `force`, and only if it is a regular, writable file.
    private static func move(_ target: Target, force: Bool) throws(FormatError) -> String? {
        defer { remove(target.temporary) }
        if target.replaced == nil {
            // link(2) fails with EEXIST rather than replace a file created since `init`.
            if link(target.temporary, target.path) == 0 { return nil }
            guard errno == EEXIST else { throw systemError(target.path, "cannot move into place") }
            guard force else { throw existsError(target.path) }
            _ = try check(target.path, inputs: [], force: force)
        }
        let backup = target.temporary + ".old"
        guard link(target.path, backup) == 0 else { throw systemError(target.path, "cannot keep the old file") }
        liveTemporaries.withLock { _ = $0.insert(backup) }
        guard rename(target.temporary, target.path) == 0 else {
            remove(backup)
            throw systemError(target.path, "cannot move into place")
        }
        return backup
    }

    /// Applies the policy to one path: the identity of the file it replaces (nil if none) and of its directory.
    private static func check(_ path: String, inputs: [(path: String, identity: FileIdentity)],
                              force: Bool) throws(FormatError) -> (replaced: FileIdentity?, directory: FileIdentity) {
        guard !path.isEmpty else { throw FormatError(file: "''", kind: .refused, problem: "an output path is empty") }
        guard !path.hasSuffix("/") else { throw FormatError(file: path, kind: .refused, problem: "names a directory, not a file") }
        if let target = try FileIdentity(path: path), let input = inputs.first(where: { $0.identity.isSameFile(as: target) }) {
            let same = input.path == path ? "is also an input" : "is the same file as the input '\(input.path)'"
            throw FormatError(file: path, kind: .refused, problem: "\(same); refusing to write onto an input")
        }
        let directoryPath = directoryPath(of: path)
        guard let directory = try FileIdentity(path: directoryPath) else {
            throw FormatError(file: path, kind: .io, problem: "cannot write: directory '\(directoryPath)' does not exist")
        }
        guard directory.kind == .directory else {
            throw FormatError(file: path, kind: .io, problem: "cannot write: '\(directoryPath)' is not a directory")
        }
        guard let existing = try FileIdentity(path: path, followingLinks: false) else { return (nil, directory) }
        guard existing.kind == .regular else {
            throw FormatError(file: path, kind: .refused,
                              problem: "is a \(existing.kind.rawValue); only regular files are replaced, even with --force")
        }
        guard force else { throw existsError(path) }
        guard !existing.isReadOnly else {
            throw FormatError(file: path, kind: .refused, problem: "is read-only; refusing to replace it, even with --force")
        }
        return (existing, directory)
    }

    /// Unlinks a temporary or backup and forgets it.
    private static func remove(_ path: String) {
        unlink(path)
        liveTemporaries.withLock { _ = $0.remove(path) }
    }

    /// The directory holding `path` ("." for a bare name).
    private static func directoryPath(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func existsError(_ path: String) -> FormatError {
        FormatError(file: path, kind: .fileExists, problem: "file exists; not replaced without --force (overwrite)")
    }

    private static func systemError(_ path: String, _ action: String) -> FormatError {
        FormatError(file: path, kind: .io, problem: "\(action): \(String(cString: strerror(errno)))")
    }
}

/// write(2), named apart from `OutputFiles.write`.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
