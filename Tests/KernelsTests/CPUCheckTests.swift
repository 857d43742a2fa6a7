import CPUSupport
import Kernels
import Testing

/// The start-up CPU check of Sources/CPUSupport, driven with made-up CPUs through its message function.
@Suite("CPU check")
struct CPUCheckTests {
    /// Bit mask of the named features, in the check's numbering.
    static func mask(_ names: [String]) -> UInt64 {
        var bits: UInt64 = 0
        for index in 0..<64 {
            guard let name = attnlab_cpu_feature_name(Int32(index)) else { break }
            if names.contains(String(cString: name)) { bits |= 1 << UInt64(index) }
        }
        return bits
    }

    static func message(present: UInt64) -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        let length = attnlab_cpu_check_message(present, &buffer, buffer.count)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func thisMachineHasEveryFeatureTheBuildRequires() {
        let required = attnlab_cpu_required_features()
        #expect(required & ~attnlab_cpu_present_features() == 0)
        #expect(Self.mask(BuildInfo.requiredCPUFeatures) == required)
        #expect(Self.message(present: attnlab_cpu_present_features()).isEmpty)
    }

    @Test func aCPULackingFeaturesGetsOneLineNamingThemAndTheRebuild() {
        let required = BuildInfo.requiredCPUFeatures
        let sse42 = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt"]
        let missing = required.filter { !sse42.contains($0) }
        let text = Self.message(present: Self.mask(sse42))
        guard !missing.isEmpty else {
            #expect(text.isEmpty)  // a build for SSE4.2 or less runs on such a CPU
            return
        }
        #expect(!text.contains("\n"))
        let target = BuildInfo.targetCPU == "native" ? "the CPU of the machine that built it" : "\(BuildInfo.targetCPU) CPUs"
        #expect(text.hasPrefix("AttentionLab was built for \(target) (ATTNLAB_TARGET_CPU) and this CPU lacks "))
        #expect(text.contains("lacks " + missing.joined(separator: ", ") + ";"))
        #expect(text.hasSuffix("rebuild with: ATTNLAB_TARGET_CPU=sse swift build -c release"))
    }

    @Test func theRebuildHintIsTheWidestAliasTheCPUHas() {
        let avx2 = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma", "bmi1", "bmi2", "f16c",
                    "lzcnt", "movbe"]
        let avx512 = avx2 + ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        if !Self.message(present: 0).isEmpty {
            #expect(Self.message(present: 0).hasSuffix("ATTNLAB_TARGET_CPU=x86-64 swift build -c release"))
        }
        // A build needing more than AVX2 (e.g. AVX-512) on an AVX2 CPU suggests avx2; beyond AVX-512, avx512.
        if BuildInfo.requiredCPUFeatures.contains(where: { !avx2.contains($0) }) {
            #expect(Self.message(present: Self.mask(avx2)).hasSuffix("ATTNLAB_TARGET_CPU=avx2 swift build -c release"))
        }
        if BuildInfo.requiredCPUFeatures.contains(where: { !avx512.contains($0) }) {
            #expect(Self.message(present: Self.mask(avx512)).contains("ATTNLAB_TARGET_CPU=avx512 "))
        }
    }
}
