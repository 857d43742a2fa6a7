import Foundation
import Testing
@testable import Formats

/// A tiny deterministic generator (SplitMix64) so fuzz and round-trip tests are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Records an issue unless `body` throws a `FormatError` of `kind` for `file` whose problem contains
/// `fragment`.
func expectFormatError(
    _ kind: FormatError.Kind, _ fragment: String, file: String,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any
) {
    do {
        let value = try body()
        Issue.record("expected a FormatError containing \"\(fragment)\", got \(value)", sourceLocation: sourceLocation)
    } catch let error as FormatError {
        #expect(error.file == file, sourceLocation: sourceLocation)
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.problem.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a FormatError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A hand-made `.npy` file: magic, version, little-endian header length, `header` padded to 64 bytes.
func npyFile(header: String, data: [UInt8], version: UInt8 = 1) -> Data {
    let prefixLength = version == 1 ? 10 : 12
    var text = Array(header.utf8)
    text += [UInt8](repeating: UInt8(ascii: " "), count: (63 - (prefixLength + text.count) % 64) % 64) + [0x0A]
    var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    for i in 0..<(prefixLength - 8) { file.append(UInt8(truncatingIfNeeded: text.count >> (8 * i))) }
    return Data(file + text + data)
}

/// A hand-made safetensors file: the 8-byte little-endian length of `header`, `header`, then `data`.
func safetensorsFile(header: String, data: [UInt8]) -> Data {
    let text = Array(header.utf8)
    let length = (0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) }
    return Data(length + text + data)
}

/// An array of `dtype` and `shape` with random bytes (any bit pattern, NaNs included).
func randomArray(_ dtype: DType, shape: [Int], generator: inout SplitMix) -> NDArray {
    let byteCount = shape.reduce(1, *) * dtype.byteSize
    let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return try! NDArray(shape: shape, dtype: dtype, bytes: bytes)
}

/// The shapes every round trip covers: scalar, empty, single element, matrix, 3-d.
let roundTripShapes: [[Int]] = [[], [0], [1], [7, 3], [2, 3, 4]]

/// A fresh empty directory, removed by `body`'s caller through the returned cleanup.
func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("FormatsTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
}
