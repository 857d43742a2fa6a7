import Foundation
import GRDB

/// Finds and runs the built `attnlab` executable.
enum Attnlab {
    struct Result {
        let status: Int32
        /// Whether a signal ended it (a crash, or a kill).
        let signalled: Bool
        let standardOutput: String
        let standardError: String
    }

    /// The binary beside the test bundle (SwiftPM puts products and tests in one directory), else in
    /// the package's `.build/debug`.
    static func executable() throws -> URL {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
        ].map { $0.appendingPathComponent("attnlab") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [
                NSLocalizedDescriptionKey: "attnlab not built; looked at \(candidates.map(\.path)); run `swift build` first",
            ])
        }
        return found
    }

    /// Starts `attnlab arguments` with output discarded.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = try makeProcess(arguments, environment: environment)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `attnlab arguments` to completion and captures its output (through files, which cannot
    /// fill up and block the process as pipes can), in `workingDirectory` when given.
    static func run(_ arguments: [String], environment: [String: String] = [:], in workingDirectory: String? = nil) throws -> Result {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (outputPath, errorPath) = (directory.path("stdout"), directory.path("stderr"))
        try Data().write(to: URL(fileURLWithPath: outputPath))
        try Data().write(to: URL(fileURLWithPath: errorPath))
        let process = try makeProcess(arguments, environment: environment)
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                      standardOutput: try String(contentsOfFile: outputPath, encoding: .utf8),
                      standardError: try String(contentsOfFile: errorPath, encoding: .utf8))
    }

    private static func makeProcess(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice  // so /dev/stdin is the same device in every run
        var inherited = ProcessInfo.processInfo.environment
        for variable in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_STEP"] {
            inherited[variable] = nil
        }
        process.environment = inherited.merging(environment) { _, new in new }
        return process
    }

    /// Measurements in the results file at `path`, read without writing to it; 0 while it has no table yet.
    static func measurementCount(_ path: String) -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)  // the sweep may be committing a point right now
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return 0 }
        defer { try? queue.close() }
        return (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM measurement") }) ?? 0
    }
}
