import Foundation
import Testing
@testable import Formats

@Suite("safetensors reading and writing")
struct SafeTensorsFileTests {
    @Test func roundTripsEveryDTypeAndShape() throws {
        var generator = SplitMix(state: 7)
        var tensors = SafeTensors(metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t é 🙂"])
        for dtype in DType.allCases {
            for shape in roundTripShapes {
                tensors["\(dtype)/\(shape)"] = randomArray(dtype, shape: shape, generator: &generator)
            }
        }
        #expect(tensors.count == DType.allCases.count * roundTripShapes.count)
        let encoded = SafeTensorsFile.encode(tensors)
        #expect((Int(encoded[0]) | Int(encoded[1]) << 8) % 8 == 0)
        let decoded = try SafeTensorsFile.decode(encoded, name: "all.safetensors")
        #expect(decoded == tensors)
        #expect(decoded.tensors.map(\.name) == tensors.names)
    }

    @Test func namesStayUniqueAndOrdered() {
        var tensors = SafeTensors()
        tensors["b"] = NDArray(shape: [1], floats: [1])
        tensors["a"] = NDArray(shape: [1], floats: [2])
        tensors["b"] = NDArray(shape: [1], floats: [3])
        #expect(tensors.names == ["b", "a"])
        #expect(tensors["b"]?.floats() == [3])
        tensors["b"] = nil
        #expect(tensors.names == ["a"] && tensors["b"] == nil)
    }

    @Test func readsHandWrittenFileWithHalfTypes() throws {
        // F16: 1, -2, 2^-24 (subnormal), inf, 1/3 rounded; BF16: 1, -3, 1/3 rounded, 2^-133 (subnormal), inf.
        let half: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0x00, 0x7C, 0x55, 0x35, 0x00, 0x7E]
        let brain: [UInt8] = [0x80, 0x3F, 0x40, 0xC0, 0xAB, 0x3E, 0x01, 0x00, 0x80, 0x7F, 0xC0, 0x7F]
        let header = """
            {"__metadata__": {"format": "pt"}, "b": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [12, 24]},
             "h": {"dtype":"F16","shape":[6],"data_offsets":[0,12]}}   
            """
        let tensors = try SafeTensorsFile.decode(safetensorsFile(header: header, data: half + brain), name: "h.safetensors")
        #expect(tensors.names == ["h", "b"] && tensors.metadata == ["format": "pt"])
        let h = try #require(tensors["h"]).floats()
        #expect(Array(h.prefix(5)) == [1, -2, 0x1p-24, .infinity, 0.333251953125] && h[5].isNaN)
        let b = try #require(tensors["b"])
        #expect(b.shape == [2, 3] && b.dtype == .bfloat16)
        #expect(Array(b.floats().prefix(5)) == [1, -3, 0.333984375, 0x1p-133, .infinity] && b.floats()[5].isNaN)
    }

    @Test func readsEmptyFileAndZeroSizedTensors() throws {
        #expect(try SafeTensorsFile.decode(safetensorsFile(header: "{}", data: []), name: "e").count == 0)
        let header = #"{"z": {"dtype": "F32", "shape": [0, 4], "data_offsets": [4, 4]}, "x": {"dtype": "I32", "shape": [], "data_offsets": [0, 4]}}"#
        let tensors = try SafeTensorsFile.decode(safetensorsFile(header: header, data: [9, 0, 0, 0]), name: "z")
        #expect(tensors.names == ["x", "z"] && tensors["z"]?.shape == [0, 4])
        #expect(tensors["x"] == NDArray(shape: [], int32s: [9]))
    }

    /// Hostile or corrupt headers: each gives a clear error, never a crash or a big allocation.
    @Test(arguments: [
        (#"{"w_q": {"dtype": "F32", "shape": [16, 32], "data_offsets": [0, 1024]}}"#,
         #"tensor "w_q" declares 1024 bytes but shape [16, 32] of F32 needs 2048"#),
        (#"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}"#, "is too large"),
        (#"{"w": {"dtype": "F64", "shape": [1152921504606846976], "data_offsets": [0, 8]}}"#, "is too large"),
        (#"{"w": {"dtype": "F32", "shape": [1000000000], "data_offsets": [0, 4000000000]}}"#, "run past the end of the data (8 bytes)"),
        (#"{"w": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 8]}}"#, "integer out of range"),
        (#"{"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}"#, "not a non-negative integer"),
        (#"{"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}"#, "not a non-negative integer"),
        (#"{"w": {"dtype": "F32", "shape": [1e1], "data_offsets": [0, 8]}}"#, "not a non-negative integer"),
        (#"{"w": {"dtype": "F32", "shape": ["2"], "data_offsets": [0, 8]}}"#, "not a non-negative integer"),
        (#"{"w": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}}"#, "shape is not an array"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8, 8]}}"#, "data_offsets has 3 elements"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#, "are reversed"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "x": 1}}"#, "has keys"),
        (#"{"w": {"dtype": "F32", "shape": [2]}}"#, "has keys"),
        (#"{"w": {"dtype": 32, "shape": [2], "data_offsets": [0, 8]}}"#, "dtype is not a string"),
        (#"{"w": [1, 2]}"#, "is not an object"),
        (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#,
         #"duplicate key "a""#),
        (#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#,
         #"tensor "b" overlaps"#),
        (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, #"4 unused bytes before tensor "a""#),
        (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, "4 unused bytes after the last tensor"),
        (#"{"__metadata__": {"n": 1}}"#, "is not a string"),
        (#"{"__metadata__": []}"#, "__metadata__ is not an object"),
        (#"[]"#, "header is not a JSON object"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}"#, "expected '}'"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}} {}"#, "unexpected text"),
        (#"{"w": {"dtype": "F32", "shape": [2,], "data_offsets": [0, 8]}}"#, "expected a JSON value"),
        (#"{"w": {"dtype": "F32", "shape": [02], "data_offsets": [0, 8]}}"#, "expected ']'"),
        (#"{"w\u0000x\ud83d": 1}"#, "unpaired surrogate"),
        (#"{"w\q": 1}"#, "invalid escape"),
        ("{\"w\n\": 1}", "control character"),
        (String(repeating: "[", count: 100_000), "nested too deeply"),
        ("", "expected a JSON value"),
    ])
    func rejectsHostileHeaders(header: String, problem: String) {
        let file = safetensorsFile(header: header, data: [UInt8](repeating: 0, count: 8))
        expectFormatError(.malformed, problem, file: "bad.safetensors") {
            try SafeTensorsFile.decode(file, name: "bad.safetensors")
        }
    }

    @Test func rejectsUnsupportedDType() {
        let file = safetensorsFile(header: #"{"w": {"dtype": "F8_E4M3", "shape": [8], "data_offsets": [0, 8]}}"#,
                                   data: [UInt8](repeating: 0, count: 8))
        expectFormatError(.unsupported, #"tensor "w" has unsupported dtype "F8_E4M3""#, file: "f8.safetensors") {
            try SafeTensorsFile.decode(file, name: "f8.safetensors")
        }
    }

    @Test func rejectsBadFraming() {
        func check(_ bytes: Data, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation) {
            expectFormatError(.malformed, problem, file: "bad.safetensors", sourceLocation: sourceLocation) {
                try SafeTensorsFile.decode(bytes, name: "bad.safetensors")
            }
        }
        check(Data([1, 2, 3]), "file is 3 bytes, too short")
        check(Data([100, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8), "header length 100 runs past the end of the file (10 bytes)")
        check(Data([0, 0, 0, 0, 0, 0, 0, 0x80]) + Data("{}".utf8), "exceeds the 100000000-byte limit")
        check(Data([0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0]) + Data("{}".utf8), "exceeds the 100000000-byte limit")
        check(safetensorsFile(header: "{\"\u{FF}\": 1}", data: []).map { $0 == 0xC3 ? 0xFF : $0 }.reduce(into: Data()) { $0.append($1) },
              "invalid UTF-8")
        let valid = safetensorsFile(header: #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
                                    data: [UInt8](repeating: 0, count: 8))
        check(valid.dropLast(1), "run past the end of the data (7 bytes)")
    }

    @Test func longNamesAreShortenedInMessages() throws {
        let name = String(repeating: "n", count: 10_000)
        let file = safetensorsFile(header: #"{"\#(name)\n": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#,
                                   data: [UInt8](repeating: 0, count: 8))
        expectFormatError(.malformed, "nnn…\" declares 8 bytes but shape [3] of F32 needs 12", file: "long") {
            try SafeTensorsFile.decode(file, name: "long")
        }
        do {
            _ = try SafeTensorsFile.decode(file, name: "long")
        } catch let error as FormatError {
            #expect(error.description.count < 200)
        }
    }

    @Test func decodesSlicedData() throws {
        let tensors = SafeTensors(metadata: ["k": "v"])
        let encoded = Data([0xAA, 0xBB]) + SafeTensorsFile.encode(tensors)
        #expect(try SafeTensorsFile.decode(encoded.dropFirst(2), name: "slice") == tensors)
    }
}
