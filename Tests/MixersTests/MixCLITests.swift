import Formats
import Foundation
import Kernels
import Testing
@testable import Mixers

/// `attnlab mix` and `attnlab bench mixer` run as processes (the binary `swift build` puts next to the tests).
@Suite("attnlab mix and bench mixer as processes")
struct MixCLITests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attnlab-mix-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes q, k, v `shape` (float64) and returns the arguments naming them.
    func writeInputs(_ shape: [Int], seed: UInt64 = 1) throws -> (arguments: [String], inputs: (Tensor<Float>, Tensor<Float>, Tensor<Float>)) {
        let (q, k, v) = randomInputs(shape, seed: seed)
        for (name, tensor) in [("q", q), ("k", k), ("v", v)] {
            try NumpyFile.write(NDArray(shape: shape, doubles: tensor.elements.map(Double.init)),
                                to: URL(fileURLWithPath: path("\(name).npy")), overwrite: true)
        }
        return (["--queries", path("q.npy"), "--keys", path("k.npy"), "--values", path("v.npy")], (q, k, v))
    }

    @Test func mixWritesTheLibraryOutputInTheInputDtype() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (arguments, (q, k, v)) = try writeInputs([2, 9, 4])
        let run = try runAttnlab(["mix", "--mixer", "linear", "--causal", "--output", path("o.npy")] + arguments)
        #expect(run.status == 0, "\(run.standardError)")
        let written = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path("o.npy")))
        #expect(written.dtype == .float64 && written.shape == [2, 9, 4])
        let expected = try MixerDescription(kind: .linear, causal: true).makeMixer().forward(queries: q, keys: k, values: v).output
        #expect(written.doubles() == expected.elements.map(Double.init))
    }

    @Test(arguments: [
        (["--mixer", "nystrom", "--landmarks", "4"], "Error: landmarks 4 do not divide the sequence length N = 9"),
        (["--mixer", "polynomial", "--degree", "0"], "Error: degree must be in 1…16, got 0"),
        (["--mixer", "polynomial", "--bound=-2"], "Error: bound must be a finite number ≥ 0, got -2.0"),
        (["--mixer", "performer", "--features", "0"], "Error: features must be in 1…65536, got 0"),
        (["--mixer", "linformer", "--causal"], "Error: linformer is not causal: it mixes the whole sequence at once; drop causal"),
        (["--mixer", "window", "--causal", "--window", "0"], "Error: window must be in 1…2147483647, got 0"),
        (["--mixer", "retnet"], "Error: retnet is causal by construction (each token sees only the past); pass causal"),
    ])
    func badOptionsFailWithOneLineAndWriteNothing(options: [String], message: String) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (arguments, _) = try writeInputs([2, 9, 4])
        let run = try runAttnlab(["mix", "--output", path("o.npy")] + options + arguments)
        #expect(run.status != 0)
        #expect(run.standardError.trimmingCharacters(in: .newlines) == message)
        #expect(!FileManager.default.fileExists(atPath: path("o.npy")))
    }

    @Test func badFilesFailLikeAttention() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (arguments, _) = try writeInputs([50, 16])
        let rank = try runAttnlab(["mix", "--mixer", "exact", "--output", path("o.npy")] + arguments)
        #expect(rank.standardError.trimmingCharacters(in: .newlines)
                == "Error: queries has shape [50, 16] (rank 2); expected [H, N, D] or [B, H, N, D]")
        #expect(rank.status != 0 && !FileManager.default.fileExists(atPath: path("o.npy")))
        let (good, _) = try writeInputs([1, 2, 5, 3])
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path("o.npy")))
        let existing = try runAttnlab(["mix", "--mixer", "exact", "--output", path("o.npy")] + good)
        #expect(existing.status != 0 && existing.standardError.contains("file exists; not replaced without --force"))
        #expect(try String(contentsOfFile: path("o.npy"), encoding: .utf8) == "keep")
        let forced = try runAttnlab(["mix", "--mixer", "exact", "--force", "--output", path("o.npy")] + good)
        #expect(forced.status == 0, "\(forced.standardError)")
    }

    /// One far query–key pair of entries 7 (R = 196): a finite output, or with a bound far below the entries
    /// one line and no file (before the normalised features the output held inf/NaN).
    @Test func polynomialWithLargeEntriesWritesAFiniteOutputOrFailsWithOneLine() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (q, k, v) = PolynomialMixerTests.largeEntryInputs(length: 17)
        for (name, tensor) in [("q", q), ("k", k), ("v", v)] {
            try NumpyFile.write(NDArray(shape: tensor.shape, floats: tensor.elements), to: URL(fileURLWithPath: path("\(name).npy")),
                                overwrite: true)
        }
        let arguments = ["--queries", path("q.npy"), "--keys", path("k.npy"), "--values", path("v.npy")]
        let run = try runAttnlab(["mix", "--mixer", "polynomial", "--degree", "2", "--output", path("o.npy")] + arguments)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try NumpyFile.read(contentsOf: URL(fileURLWithPath: path("o.npy"))).floats().allSatisfy { $0.isFinite })
        let bad = try runAttnlab(["mix", "--mixer", "polynomial", "--degree", "4", "--bound", "1e-7", "--output", path("bad.npy")]
                                 + arguments)
        let message = bad.standardError.trimmingCharacters(in: .newlines)
        #expect(bad.status != 0 && message.hasPrefix("Error: polynomial output overflowed float32 at R = ") && !message.contains("\n"))
        #expect(!FileManager.default.fileExists(atPath: path("bad.npy")))
    }

    @Test func benchMixerPrintsTheJSONKeys() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try runAttnlab(["bench", "mixer", "--mixer", "gla", "--seq", "256", "--head-dim", "16", "--causal",
                                  "--backward", "--repeat", "1", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        for key in ["seconds", "backward_seconds", "gflops", "state_bytes", "max_rss_bytes"] {
            #expect(object?[key] is NSNumber, "missing \(key)")
        }
        #expect(object?["state_bytes"] as? Int == 16 * 16 * 4)
    }

    @Test func mixRunsTheMambaBlockSeededOrFromWeights() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = Tensor<Float>.normal([2, 7, 16], seed: 5)
        try NumpyFile.write(NDArray(shape: x.shape, floats: x.elements), to: URL(fileURLWithPath: path("x.npy")), overwrite: true)
        let seeded = try MambaMixer(MambaConfiguration(modelWidth: 16, seed: 3))
        let run = try runAttnlab(["mix", "--mixer", "mamba", "--input", path("x.npy"), "--seed", "3", "--output", path("y.npy")])
        #expect(run.status == 0, "\(run.standardError)")
        let written = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path("y.npy")))
        let expected = try seeded.forward(x).output.elements
        #expect(written.shape == [2, 7, 16] && written.floats() == expected)

        // Weights of another seed, the convolution stored [E, 1, K] as PyTorch does.
        let other = try MambaMixer(MambaConfiguration(modelWidth: 16, seed: 9))
        var file = SafeTensors()
        for p in MambaParameter.allCases {
            let tensor = other.parameters[p]
            let shape = p == .convolutionWeight ? [tensor.shape[0], 1, tensor.shape[1]] : tensor.shape
            file[p.rawValue] = NDArray(shape: shape, floats: tensor.elements)
        }
        try SafeTensorsFile.write(file, to: URL(fileURLWithPath: path("w.safetensors")))
        let fromWeights = try runAttnlab(["mix", "--mixer", "mamba", "--input", path("x.npy"), "--weights", path("w.safetensors"),
                                          "--output", path("z.npy")])
        #expect(fromWeights.status == 0, "\(fromWeights.standardError)")
        let z = try NumpyFile.read(contentsOf: URL(fileURLWithPath: path("z.npy")))
        let expectedFromWeights = try other.forward(x).output.elements
        #expect(z.floats() == expectedFromWeights)

        file["A_log"] = NDArray(shape: [3], floats: [0, 0, 0])
        try SafeTensorsFile.write(file, to: URL(fileURLWithPath: path("bad.safetensors")), overwrite: true)
        let bad = try runAttnlab(["mix", "--mixer", "mamba", "--input", path("x.npy"), "--weights", path("bad.safetensors"),
                                  "--output", path("bad.npy")])
        #expect(bad.status != 0 && bad.standardError.contains("A_log"), "\(bad.standardError)")
        #expect(!FileManager.default.fileExists(atPath: path("bad.npy")))
        let mixed = try runAttnlab(["mix", "--mixer", "mamba", "--queries", path("x.npy"), "--output", path("q.npy")])
        #expect(mixed.status != 0 && mixed.standardError.contains("--input"), "\(mixed.standardError)")
    }

    @Test func benchMixerTimesTheMambaBlock() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try runAttnlab(["bench", "mixer", "--mixer", "mamba", "--seq", "33", "--width", "16", "--backward",
                                  "--repeat", "1", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect((object?["backward_seconds"] as? Double ?? 0) > 0)
        #expect(object?["width"] as? Int == 16 && object?["heads"] == nil)
        // d_inner · (d_state + d_conv − 1) floats: 32 · (16 + 3) · 4 bytes.
        #expect(object?["state_bytes"] as? Int == 32 * 19 * 4)
        let bad = try runAttnlab(["bench", "mixer", "--mixer", "mamba", "--seq", "8", "--width", "0"])
        #expect(bad.status != 0 && bad.standardError.contains("--width"), "\(bad.standardError)")
    }
}

struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs the built `attnlab` (beside the test bundle, else `.build/debug`) with output captured in files.
func runAttnlab(_ arguments: [String]) throws -> ProcessResult {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [
        Bundle.main.bundleURL.deletingLastPathComponent(), URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        packageRoot.appendingPathComponent(".build/debug"),
    ].map { $0.appendingPathComponent("attnlab") }
    let executable = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "attnlab not built")
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent("attnlab-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: capture) }
    let (out, err) = (capture.appendingPathComponent("stdout"), capture.appendingPathComponent("stderr"))
    try Data().write(to: out)
    try Data().write(to: err)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, standardOutput: try String(contentsOf: out, encoding: .utf8),
                         standardError: try String(contentsOf: err, encoding: .utf8))
}
