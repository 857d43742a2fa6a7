import ArgumentParser
import Kernels

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the machine: CPU, target CPU and SIMD features of this build, cores, measured FP32 peak.")

    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let report = MachineReport.measure()
        if json {
            print(try JSONOutput.string(report))
        } else {
            print("""
                cpu:            \(report.cpu)
                architecture:   \(report.architecture)
                target cpu:     \(report.targetCPU) (ATTNLAB_TARGET_CPU)
                simd (build):   \(report.simdFeatures.isEmpty ? "none (portable build)" : report.simdFeatures.joined(separator: ", "))
                cores:          \(report.cores)
                peak fp32:      \(format(report.peakGFLOPS, digits: 1)) GFLOP/s (\(report.cores) threads), \
                \(format(report.peakGFLOPSOneThread, digits: 1)) GFLOP/s (1 thread)
                """)
        }
    }
}

/// What `attnlab info` reports, also stored with every benchmark.
struct MachineReport: Codable {
    let cpu: String
    let architecture: String
    let targetCPU: String
    let simdFeatures: [String]
    let cores: Int
    let peakGFLOPS: Double
    let peakGFLOPSOneThread: Double

    enum CodingKeys: String, CodingKey {
        case cpu, architecture, cores
        case targetCPU = "target_cpu", simdFeatures = "simd_features"
        case peakGFLOPS = "peak_gflops"
        case peakGFLOPSOneThread = "peak_gflops_one_thread"
    }

    static func measure() -> MachineReport {
        MachineReport(
            cpu: BuildInfo.cpuModel, architecture: BuildInfo.architecture, targetCPU: BuildInfo.targetCPU,
            simdFeatures: BuildInfo.simdFeatures, cores: BuildInfo.cores, peakGFLOPS: MachinePeak.measured,
            peakGFLOPSOneThread: MachinePeak.measured(threads: 1))
    }
}
