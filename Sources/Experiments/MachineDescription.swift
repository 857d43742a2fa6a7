import Foundation
import Kernels

/// The machine a run measured on, stored with the run so results from different machines can be told
/// apart and times compared with what the machine can do.
public struct MachineDescription: Codable, Sendable, Equatable {
    /// CPU model name, e.g. "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz".
    public var cpuModel: String
    /// Cores available to the process.
    public var cores: Int
    /// The measured peak of this machine's GEMM in GFLOP/s (Float32), if the caller measured it.
    public var peakGFLOPS: Double?
    /// Operating system, e.g. "Linux 6.8.0".
    public var operatingSystem: String

    public init(cpuModel: String, cores: Int, peakGFLOPS: Double?, operatingSystem: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.peakGFLOPS = peakGFLOPS
        self.operatingSystem = operatingSystem
    }

    /// This machine, with a peak the caller measured (e.g. with a GEMM benchmark).
    public static func current(peakGFLOPS: Double?) -> MachineDescription {
        MachineDescription(
            cpuModel: BuildInfo.cpuModel, cores: BuildInfo.cores, peakGFLOPS: peakGFLOPS,
            operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
    }
}

/// The git commit of the source tree, to store with each run.
public enum GitCommit {
    /// `git rev-parse HEAD` run in `directory` (the current directory by default); nil when git is not
    /// installed, the directory is not a repository, or the command fails.
    public static func current(in directory: URL? = nil) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return [40, 64].contains(commit.count) && commit.allSatisfy(\.isHexDigit) ? commit : nil
    }
}
