import CPUSupport
import Foundation

/// What this binary was compiled for and what the machine running it has.
public enum BuildInfo {
    /// SIMD instruction sets the compiler was allowed to use (set by `ATTNLAB_TARGET_CPU` in Package.swift).
    public static var simdFeatures: [String] {
        var features: [String] = []
        #if ATTNLAB_AVX512
        features.append("avx512f")
        #endif
        #if ATTNLAB_AVX2
        features.append("avx2")
        #endif
        #if ATTNLAB_FMA
        features.append("fma")
        #endif
        #if arch(arm64)
        features.append("neon")
        #endif
        return features
    }

    /// The CPU the kernels were compiled for (`ATTNLAB_TARGET_CPU` after aliases: "znver3", "haswell",
    /// "native", or "generic" for no `-target-cpu`).
    public static var targetCPU: String { String(cString: attnlab_target_cpu()) }

    /// The x86 instruction-set extensions this build requires of the CPU (checked at start-up by
    /// CPUSupport, which stops the process with a one-line error where one is missing).
    public static var requiredCPUFeatures: [String] {
        let required = attnlab_cpu_required_features()
        return (0..<64).compactMap { index in
            guard required >> index & 1 == 1, let name = attnlab_cpu_feature_name(Int32(index)) else { return nil }
            return String(cString: name)
        }
    }

    /// The CPU model name, from /proc/cpuinfo on Linux or `sysctl` elsewhere; "unknown" if neither answers.
    public static var cpuModel: String {
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return "unknown"
    }

    /// Logical cores available to this process.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The machine architecture this binary runs on.
    public static var architecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "other"
        #endif
    }
}
