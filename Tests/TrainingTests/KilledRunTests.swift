import Foundation
import Testing
@testable import Training

#if canImport(Glibc)
import Glibc
#endif

/// `attnlab train --checkpoint` as a process: killed with SIGKILL after its first checkpoint and run
/// again, it must end with the checkpoint file of an uninterrupted run, byte for byte.
@Suite struct KilledRunTests {
    private static let arguments = [
        "train", "--task", "mqar", "--length", "32", "--pairs", "4", "--vocab", "64", "--width", "32", "--steps", "400",
        "--batch", "16", "--validation-samples", "16", "--checkpoint-every", "20", "--json",
    ]

    /// The built binary: beside the test bundle (SwiftPM puts products there), else in `.build/debug`.
    private static func binary() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let places = [Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL,
                      packageRoot.appendingPathComponent(".build/debug")]
        let found = places.map { $0.appendingPathComponent("attnlab") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "attnlab is not built; run swift build")
    }

    private static func launch(checkpoint: URL) throws -> Process {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments + ["--checkpoint", checkpoint.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedAndResumedRunMatchesAnUninterruptedOne() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let straight = directory.url.appendingPathComponent("straight")
        let killed = directory.url.appendingPathComponent("killed")
        let uninterrupted = try Self.launch(checkpoint: straight)
        uninterrupted.waitUntilExit()
        #expect(uninterrupted.terminationStatus == 0)

        let victim = try Self.launch(checkpoint: killed)
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: Checkpoint.file(in: killed).path) && Date() < deadline {
            usleep(2000)
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let stoppedAt = try Checkpoint.restore(from: killed).step
        let resumed = try Self.launch(checkpoint: killed)
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 0)
        #expect(stoppedAt < 400, "the run finished before it could be killed")
        #expect(try Data(contentsOf: Checkpoint.file(in: killed)) == Data(contentsOf: Checkpoint.file(in: straight)))
    }
}
