import Foundation
import Kernels

/// The machine a run measured on, stored with the run so results from different machines can be told
/// apart and times compared with what the machine can do.
public struct MachineDescription: Codable, Sendable, Equatable {
    /// CPU model name, e.g. "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz".
    public var cpuModel: String
    /// Cores available to the process.
    public var cores: Int
    /// The machine's fp32 peak in GFLOP/s (`MachinePeak`) on `peakThreads` threads, if measured.
    public var peakGFLOPS: Double?
    /// Threads the peak was measured on (nil in runs stored before it was recorded).
    public var peakThreads: Int?
    /// Operating system, e.g. "Linux 6.8.0".
    public var operatingSystem: String

    public init(cpuModel: String, cores: Int, peakGFLOPS: Double?, peakThreads: Int? = nil, operatingSystem: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.peakGFLOPS = peakGFLOPS
        self.peakThreads = peakThreads
        self.operatingSystem = operatingSystem
    }

    /// This machine, with the peak of `threads` threads: the process's one cached `MachinePeak`
    /// measurement, the same that `attnlab info` and `attnlab bench` divide by.
    public static func current(threads: Int = Parallelism.defaultThreads) -> MachineDescription {
        MachineDescription(
            cpuModel: BuildInfo.cpuModel, cores: BuildInfo.cores, peakGFLOPS: MachinePeak.measured(threads: threads),
            peakThreads: threads, operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString)
    }

    /// The report's cell for the peak: "190.3 (2 threads)", or "not measured".
    var peakText: String {
        guard let peakGFLOPS else { return "not measured" }
        return NumberText.short(peakGFLOPS, digits: 4) + (peakThreads.map { " (\($0) thread\($0 == 1 ? "" : "s"))" } ?? "")
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
