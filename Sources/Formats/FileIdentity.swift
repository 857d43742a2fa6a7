import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names on disk: its kind, device and inode (the file's identity whatever the path's
/// spelling: relative, `./`, through a symbolic link, or another hard link), and its permission bits.
public struct FileIdentity: Equatable, Sendable {
    /// The kinds of file the output policy tells apart.
    public enum Kind: String, Sendable {
        case regular = "regular file"
        case directory
        case symbolicLink = "symbolic link"
        case fifo = "FIFO"
        case socket
        case characterDevice = "character device"
        case blockDevice = "block device"
    }

    public let kind: Kind
    public let device: UInt64
    public let inode: UInt64
    /// The permission bits (`st_mode & 0o7777`).
    public let permissions: UInt32

    /// The identity of `path`, or nil if nothing is there; `followingLinks: false` describes a symbolic
    /// link itself (`lstat`) rather than its target (`stat`).
    /// - Throws: a `.io` `FormatError` when the path cannot be examined (e.g. a component is not a directory).
    public init?(path: String, followingLinks: Bool = true) throws(FormatError) {
        var status = stat()
        let result = followingLinks ? stat(path, &status) : lstat(path, &status)
        if result != 0 {
            if errno == ENOENT { return nil }
            throw FormatError(file: path, kind: .io, problem: "cannot examine it: \(String(cString: strerror(errno)))")
        }
        let mode = UInt32(status.st_mode)
        kind = switch mode & 0o170000 {
        case 0o100000: .regular
        case 0o040000: .directory
        case 0o120000: .symbolicLink
        case 0o010000: .fifo
        case 0o140000: .socket
        case 0o020000: .characterDevice
        default: .blockDevice
        }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        permissions = mode & 0o7777
    }

    /// Whether this is the same file as `other` (same device and inode).
    public func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }

    /// Whether no one may write to it (no write bit at all; root's override does not count).
    public var isReadOnly: Bool { permissions & 0o222 == 0 }
}
