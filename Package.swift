// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// The CPU the SIMD kernels are compiled for.
///
/// On x86-64 Swift only emits AVX-512/FMA instructions when `-target-cpu` names a CPU that has them;
/// without it a `SIMD16<Float>` FMA becomes a scalar `fmaf` call (≈100× slower). The default, `native`,
/// is the build machine's CPU. Set `ATTNLAB_TARGET_CPU` for another one, e.g. `x86-64-v3` (AVX2+FMA) or
/// `x86-64-v4` (AVX-512) for a binary that runs on other machines, or `generic` to pass no flag at all.
/// arm64 needs no flag: NEON is always there.
let targetCPU: String? = {
    #if arch(x86_64)
    let cpu = ProcessInfo.processInfo.environment["ATTNLAB_TARGET_CPU"] ?? "native"
    return cpu == "generic" ? nil : cpu
    #else
    return nil
    #endif
}()

/// The SIMD features the chosen CPU gives the build, made visible to the code as compilation
/// conditions (`ATTNLAB_AVX512`, …) so `attnlab info` can say what this binary uses.
let simdFeatureConditions: [String] = {
    guard let cpu = targetCPU else { return [] }
    let features: Set<String>
    switch cpu {
    case "native":
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        features = Set(flagsLine.split(separator: " ").map(String.init))
    case "x86-64-v3", "haswell", "skylake", "znver1", "znver2", "znver3":
        features = ["avx2", "fma"]
    case "x86-64-v2", "x86-64":
        features = []
    default:  // x86-64-v4 and AVX-512 CPUs (skylake-avx512, sapphirerapids, znver4, znver5, …)
        features = ["avx2", "fma", "avx512f"]
    }
    return [("avx512f", "ATTNLAB_AVX512"), ("avx2", "ATTNLAB_AVX2"), ("fma", "ATTNLAB_FMA")]
        .filter { features.contains($0.0) }.map(\.1)
}()

/// Numerical code is compiled with optimisation in every configuration, so the debug build that
/// `swift test` makes runs the kernels at full speed (an unoptimised SIMD loop is ~100× slower).
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(targetCPU.map { ["-target-cpu", $0] } ?? []),
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
        .target(name: "Kernels", swiftSettings: kernelSettings),
        .target(name: "Formats", swiftSettings: kernelSettings),
        .target(name: "Attention", dependencies: ["Kernels"], swiftSettings: kernelSettings),
        .target(name: "Models", dependencies: ["Kernels", "Attention", "Formats"], swiftSettings: kernelSettings),
        .target(name: "Hardness", dependencies: ["Kernels", "Attention", "Models", "Formats"], swiftSettings: kernelSettings),
        .target(name: "Mixers", dependencies: ["Kernels", "Attention"], swiftSettings: kernelSettings),
        .target(
            name: "Training", dependencies: ["Kernels", "Attention", "Models", "Formats"], swiftSettings: kernelSettings),
        .target(
            name: "Experiments",
            dependencies: ["Kernels", "Attention", "Models", "Hardness", "Training", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "attnlab",
            dependencies: [
                "Kernels", "Formats", "Attention", "Models", "Hardness", "Mixers", "Training", "Experiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: kernelSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"], swiftSettings: kernelSettings),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "AttentionTests", dependencies: ["Attention", "Kernels"], swiftSettings: kernelSettings),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Attention", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "HardnessTests", dependencies: ["Hardness", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(name: "MixersTests", dependencies: ["Mixers", "Attention", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(
            name: "TrainingTests", dependencies: ["Training", "Kernels", "Formats"], swiftSettings: kernelSettings),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "Kernels", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: kernelSettings),
    ]
)
