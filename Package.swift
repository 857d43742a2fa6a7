// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// Instruction-set extensions the compiler may use on its own, in the checker's spelling, grouped as
/// LLVM's CPU models have them (`clang -march=NAME -dM -E` lists each model's). The CPU check
/// (Sources/CPUSupport) stops a binary at start-up on a CPU lacking any of them, instead of a SIGILL.
enum X86Features {
    static let sse42 = ["sse3", "ssse3", "sse4.1", "sse4.2", "popcnt"]  // nehalem, x86-64-v2
    static let avx2 = sse42 + ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "lzcnt", "movbe"]  // haswell, x86-64-v3
    static let hybrid = avx2 + ["avxvnni", "gfni", "vaes", "vpclmulqdq"]  // alderlake and its successors
    static let avx512 = avx2 + ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]  // skylake-avx512, x86-64-v4
    static let cannonlake = avx512 + ["avx512ifma", "avx512vbmi"]
    static let icelake = cannonlake + [
        "avx512vbmi2", "avx512vnni", "avx512bitalg", "avx512vpopcntdq", "gfni", "vaes", "vpclmulqdq"]

    /// Each CPU name `swiftc -target-cpu` accepts that the project knows, with its features.
    static let byCPU: [String: [String]] = [
        "x86-64": [],
        "nehalem": sse42, "westmere": sse42,
        "sandybridge": sse42 + ["avx"], "ivybridge": sse42 + ["avx", "f16c"],
        "haswell": avx2, "broadwell": avx2, "skylake": avx2, "znver1": avx2, "znver2": avx2,
        "znver3": avx2 + ["vaes", "vpclmulqdq"],
        "alderlake": hybrid, "raptorlake": hybrid, "meteorlake": hybrid, "arrowlake": hybrid, "lunarlake": hybrid,
        "pantherlake": hybrid, "gracemont": hybrid, "sierraforest": hybrid, "grandridge": hybrid,
        "clearwaterforest": hybrid,
        "skylake-avx512": avx512, "cascadelake": avx512 + ["avx512vnni"],
        "cooperlake": avx512 + ["avx512vnni", "avx512bf16"], "cannonlake": cannonlake,
        "icelake-client": icelake, "icelake-server": icelake, "rocketlake": icelake, "tigerlake": icelake,
        "sapphirerapids": icelake + ["avx512bf16", "avx512fp16", "avxvnni"],
        "emeraldrapids": icelake + ["avx512bf16", "avx512fp16", "avxvnni"],
        "graniterapids": icelake + ["avx512bf16", "avx512fp16", "avxvnni"],
        "znver4": icelake + ["avx512bf16"], "znver5": icelake + ["avx512bf16", "avxvnni"],
    ]

    /// Short names for the three vector widths, and the x86-64 levels Swift 6.3's `-target-cpu` rejects.
    static let aliases = [
        "sse": "nehalem", "avx2": "haswell", "avx512": "skylake-avx512",
        "x86-64-v2": "nehalem", "x86-64-v3": "haswell", "x86-64-v4": "skylake-avx512",
    ]

    /// /proc/cpuinfo's spelling of the features whose name differs from ours.
    static let cpuinfoNames = [
        "pni": "sse3", "sse4_1": "sse4.1", "sse4_2": "sse4.2", "abm": "lzcnt", "avx_vnni": "avxvnni",
        "avx512_vbmi2": "avx512vbmi2", "avx512_vnni": "avx512vnni", "avx512_bitalg": "avx512bitalg",
        "avx512_vpopcntdq": "avx512vpopcntdq", "avx512_bf16": "avx512bf16", "avx512_fp16": "avx512fp16",
    ]

    /// The features of the machine building this package, from /proc/cpuinfo (empty where there is none).
    static var buildMachine: [String] {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(flagsLine.split(separator: " ").map { cpuinfoNames[String($0)] ?? String($0) })
        return Set(byCPU.values.joined()).filter(flags.contains).sorted()
    }
}

/// The CPU the SIMD kernels are compiled for, and the features that gives them.
///
/// On x86-64 Swift only emits AVX/AVX-512/FMA instructions when `-target-cpu` names a CPU that has them;
/// without it a `SIMD16<Float>` FMA becomes a scalar `fmaf` call (≈100× slower). `ATTNLAB_TARGET_CPU`
/// takes a CPU name (`X86Features.byCPU`), an alias (`avx512`, `avx2`, `sse`; `x86-64-v2/3/4` map to them),
/// `native` (the default: the build machine's CPU) or `generic` (no flag, SSE2 only). Other architectures
/// get no flag and no x86 features (arm64: NEON and its FMA are always there).
let target: (cpu: String?, features: [String]) = {
    #if arch(x86_64)
    let requested = ProcessInfo.processInfo.environment["ATTNLAB_TARGET_CPU"] ?? "native"
    let cpu = X86Features.aliases[requested] ?? requested
    switch cpu {
    case "native": return (cpu, X86Features.buildMachine)
    case "generic": return (nil, [])
    default:
        guard let features = X86Features.byCPU[cpu] else {
            let names = (Array(X86Features.byCPU.keys) + X86Features.aliases.keys + ["native", "generic"]).sorted()
            fatalError("ATTNLAB_TARGET_CPU=\(requested) is not a CPU this package knows; use one of: "
                       + names.joined(separator: ", "))
        }
        return (cpu, features)
    }
    #else
    return (nil, [])
    #endif
}()

/// The vector width and FMA the kernels may use, as compilation conditions: `ATTNLAB_AVX512` (16 lanes,
/// also sets `ATTNLAB_AVX2`), `ATTNLAB_AVX2` (8 lanes), neither (4 lanes: SSE, NEON); `ATTNLAB_FMA` when
/// fused multiply-add is an instruction.
let simdFeatureConditions: [String] = {
    #if arch(arm64)
    return ["ATTNLAB_FMA"]  // NEON: 4 lanes, FMA always
    #else
    return [("avx512f", "ATTNLAB_AVX512"), ("avx2", "ATTNLAB_AVX2"), ("fma", "ATTNLAB_FMA")]
        .filter { target.features.contains($0.0) }.map(\.1)
    #endif
}()

/// What the CPU check (Sources/CPUSupport) compares with the running CPU: the target's features and
/// name. Compiled without `-target-cpu`, so the check itself runs on any x86-64.
let cpuCheckSettings: [CSetting] = [
    .define("ATTNLAB_REQUIRED_FEATURES", to: "\"\(target.features.joined(separator: ","))\""),
    .define("ATTNLAB_TARGET_CPU_NAME", to: "\"\(target.cpu ?? "generic")\""),
]

/// Numerical code is compiled with optimisation in every configuration, so the debug build that
/// `swift test` makes runs the kernels at full speed (an unoptimised SIMD loop is ~100× slower).
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(target.cpu.map { ["-target-cpu", $0] } ?? []),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
] + simdFeatureConditions.map { .define($0) }

let package = Package(
    name: "AttentionLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "attnlab", targets: ["attnlab"]),
        .library(name: "AttentionLab", targets: ["Kernels", "Formats", "Attention", "Models", "Hardness", "Mixers", "Training", "Experiments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(name: "CPUSupport", cSettings: cpuCheckSettings),
        .target(name: "Kernels", dependencies: ["CPUSupport"], swiftSettings: kernelSettings),
        .target(name: "Formats", dependencies: ["CPUSupport"], swiftSettings: kernelSettings),
        .target(name: "Attention", dependencies: ["Kernels"], swiftSettings: kernelSettings),
        .target(name: "Models", dependencies: ["Kernels", "Attention", "Formats"], swiftSettings: kernelSettings),
        .target(name: "Hardness", dependencies: ["Kernels", "Attention", "Models", "Formats"], swiftSettings: kernelSettings),
        .target(name: "Mixers", dependencies: ["Kernels", "Attention"], swiftSettings: kernelSettings),
        .target(
            name: "Training", dependencies: ["Kernels", "Attention", "Models", "Formats"], swiftSettings: kernelSettings),
        .target(
            name: "Experiments",
            dependencies: ["Kernels", "Attention", "Models", "Hardness", "Mixers", "Training", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "attnlab",
            dependencies: [
                "Kernels", "Formats", "Attention", "Models", "Hardness", "Mixers", "Training", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CPUSupport"], swiftSettings: kernelSettings),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "AttentionTests", dependencies: ["Attention", "Kernels"], swiftSettings: kernelSettings),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Attention", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "HardnessTests", dependencies: ["Hardness", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "MixersTests", dependencies: ["Mixers", "Attention", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(
            name: "TrainingTests", dependencies: ["Training", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "Kernels", "Mixers", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: kernelSettings),
    ]
)
