/// Why a file could not be read or written: the file, the kind of problem and a one-line explanation.
///
/// `description` reads like `weights.safetensors: tensor "w_q" declares 1024 bytes but shape [16, 32] of F32
/// needs 2048`, ready to print to a user.
public struct FormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for callers that react differently (e.g. suggest `--overwrite` for `.fileExists`).
    public enum Kind: String, Sendable {
        /// The bytes do not form a valid file of the format (corrupt, truncated, inconsistent).
        case malformed
        /// A valid file that uses a feature this reader does not support (e.g. an object array).
        case unsupported
        /// Writing would replace an existing file and `overwrite` was `false`.
        case fileExists
        /// The operating system refused to read or write the file.
        case io
        /// Writing was refused by policy (`OutputFiles`): the path is an input, a special file, a symbolic
        /// link, a read-only file, empty, or given twice.
        case refused
    }

    /// The file's path or the name given to `decode`.
    public let file: String
    public let kind: Kind
    /// The problem in one line, without the file name.
    public let problem: String

    public init(file: String, kind: Kind, problem: String) {
        self.file = file
        self.kind = kind
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }

    /// `text` shortened to 100 characters, for quoting names and values from a file in a problem.
    static func excerpt(_ text: String) -> String {
        text.count > 100 ? text.prefix(100) + "…" : text
    }
}
