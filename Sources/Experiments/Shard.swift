import Foundation

/// Bad `--shard` text or Slurm environment.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case outOfRange(index: Int, count: Int)
    case badEnvironment(variable: String, value: String)

    public var description: String {
        switch self {
        case .malformed(let text):
            "shard must look like i/n with 0 ≤ i < n (e.g. 0/4), got '\(text)'"
        case .outOfRange(let index, let count):
            "shard index must satisfy 0 ≤ i < n, got \(index)/\(count)"
        case .badEnvironment(let variable, let value):
            "environment variable \(variable) must be a non-negative integer, got '\(value)'"
        }
    }
}

/// One of `count` disjoint parts of a sweep, so `count` processes (or machines, or Slurm array tasks)
/// measure it together; their result files are then merged.
///
/// The sweep's points are taken in their fixed order and dealt round-robin: shard i owns the points
/// whose index is ≡ i (mod n). Sweeps ordered by size thus give every shard a similar mix of cheap and
/// expensive points. Every point belongs to exactly one shard.
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 0-based: shards are 0/n … (n−1)/n.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1, index >= 0, index < count else { throw .outOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// The whole sweep in one process.
    public static let whole = try! Shard(index: 0, count: 1)

    /// Parses "i/n" with 0 ≤ i < n, e.g. "0/4".
    public static func parse(_ text: String) throws(ShardError) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let index = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let count = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { throw .malformed(text) }
        return try Shard(index: index, count: count)
    }

    /// The shard of a Slurm job array task, or nil outside one (when `SLURM_ARRAY_TASK_ID` or
    /// `SLURM_ARRAY_TASK_COUNT` is unset).
    ///
    /// The index is `(SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP`, with MIN 0 and
    /// STEP 1 when unset, so `--array=1-4` and `--array=0-12:4` both give shards 0/4 … 3/4.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ShardError) -> Shard?
    {
        guard let idText = environment["SLURM_ARRAY_TASK_ID"],
              let countText = environment["SLURM_ARRAY_TASK_COUNT"]
        else { return nil }
        func number(_ variable: String, _ text: String) throws(ShardError) -> Int {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw .badEnvironment(variable: variable, value: text)
            }
            return value
        }
        let id = try number("SLURM_ARRAY_TASK_ID", idText)
        let count = try number("SLURM_ARRAY_TASK_COUNT", countText)
        let minimum = try environment["SLURM_ARRAY_TASK_MIN"].map { text throws(ShardError) in
            try number("SLURM_ARRAY_TASK_MIN", text)
        } ?? 0
        let step = try environment["SLURM_ARRAY_TASK_STEP"].map { text throws(ShardError) in
            try number("SLURM_ARRAY_TASK_STEP", text)
        } ?? 1
        guard step >= 1 else { throw .badEnvironment(variable: "SLURM_ARRAY_TASK_STEP", value: String(step)) }
        return try Shard(index: (id - minimum) / step, count: count)
    }

    /// True when the point at `pointIndex` (0-based, in the sweep's fixed order) belongs to this shard.
    public func owns(pointIndex: Int) -> Bool { pointIndex % count == index }

    /// The points of `sweep` this shard owns, in order, with their index in the whole sweep.
    public func select<Point>(_ sweep: [Point]) -> [(index: Int, point: Point)] {
        sweep.enumerated().filter { owns(pointIndex: $0.offset) }.map { (index: $0.offset, point: $0.element) }
    }

    /// "i/n".
    public var description: String { "\(index)/\(count)" }
}
