import Foundation

/// Character-level (byte-level) language modelling: predict byte t + 1 from bytes ≤ t within windows
/// of `context` bytes. The first 90% of the text trains (every window start is one example); the rest
/// validates, in non-overlapping windows. Vocabulary: 256 byte values. Metric: token accuracy.
/// `path == nil` uses the shipped sample (`textSample`, the Zen of Python). The byte count and an
/// FNV-1a checksum are part of the description, so a checkpoint never resumes on a changed file.
public struct TextTask: Codable, Sendable, Equatable {
    public static let vocabulary = 256
    public var path: String?
    public var context: Int
    public var bytes: Int
    public var checksum: UInt64

    /// Reads the file (or the sample) and checks it holds at least one training and one validation window.
    public init(path: String?, context: Int = 64) throws {
        guard context > 0 else { throw TrainingError.invalidOption("context must be positive, got \(context)") }
        self.path = path
        self.context = context
        let text = try Self.load(path)
        bytes = text.count
        checksum = text.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        guard validationStart >= context + 1, bytes - validationStart >= context + 1 else {
            throw TrainingError.unreadableText("\(path ?? "the text sample") has \(bytes) bytes; context \(context) needs at least \(2 * context + 2)")
        }
    }

    /// First byte of the validation part.
    var validationStart: Int { max(bytes * 9 / 10, bytes - max(context + 1, bytes / 10)) }

    static func load(_ path: String?) throws -> [UInt8] {
        guard let path else { return Array(textSample.utf8) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.unreadableText("\(path): cannot read the text file")
        }
        return [UInt8](data)
    }

    func prepare() throws -> TaskData {
        let text = try Self.load(path)
        guard text.count == bytes else { throw TrainingError.unreadableText("\(path ?? "the text sample") changed since it was described") }
        return Data(task: self, text: text)
    }

    struct Data: TaskData {
        let task: TextTask
        let text: [UInt8]
        var trainingCount: Int { task.validationStart - task.context }
        var validationCount: Int { (task.bytes - task.validationStart - 1) / task.context }
        var metric: TaskMetric { .tokenAccuracy }

        func fill(_ batch: Batch, slot: Int, split: DataSplit, index: Int) {
            let n = task.context
            let start = split == .training ? index : task.validationStart + index * n
            let tokens = batch.tokens!.pointer + slot * n, targets = batch.classTargets!.pointer + slot * n
            for i in 0..<n {
                tokens[i] = Int32(text[start + i])
                targets[i] = Int32(text[start + i + 1])
            }
        }
    }
}
