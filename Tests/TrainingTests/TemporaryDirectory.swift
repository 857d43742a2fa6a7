import Foundation

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attnlab-training-\(UUID().uuidString)")

    func remove() { try? FileManager.default.removeItem(at: url) }
}
