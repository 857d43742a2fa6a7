import Foundation
import Testing
@testable import Formats

@Suite(".npy reading and writing")
struct NumpyFileTests {
    func decode(_ base64: String) throws -> NDArray {
        try NumpyFile.decode(NumpyFixtures.data(base64), name: "fixture.npy")
    }

    @Test(arguments: DType.allCases)
    func roundTripsEveryShape(_ dtype: DType) throws {
        var generator = SplitMix(state: UInt64(dtype.byteSize) * 31 + UInt64(dtype.rawValue.count))
        for shape in roundTripShapes {
            let array = randomArray(dtype, shape: shape, generator: &generator)
            let encoded = NumpyFile.encode(array)
            let decoded = try NumpyFile.decode(encoded, name: "a.npy")
            let headerLength = Int(encoded[8]) | Int(encoded[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            if dtype == .bfloat16 {  // NumPy has no bfloat16: written exactly as float32
                #expect(decoded.dtype == .float32 && decoded.shape == shape)
                #expect(decoded.floats().map(\.bitPattern) == array.floats().map(\.bitPattern))
            } else {
                #expect(decoded == array, "\(dtype) \(shape)")
            }
        }
    }

    @Test func readsNumpyVersions() throws {
        let v1 = try decode(NumpyFixtures.v1Float32)
        #expect(v1.shape == [2, 3] && v1.dtype == .float32)
        #expect(v1.floats() == [0, 0.5, 1, 1.5, 2, 2.5])
        let v2 = try decode(NumpyFixtures.v2Float64)
        #expect(v2.shape == [3] && v2.doubles() == [1.5, -2.25, 1e300])
        let v3 = try decode(NumpyFixtures.v3Int64)
        #expect(v3.shape == [2, 2] && v3.dtype == .int64)
        #expect(v3.bytes == NDArray(shape: [2, 2], int64s: [1, -2, 3, 1 << 62]).bytes)
    }

    @Test func readsFortranOrderAsRowMajor() throws {
        let matrix = try decode(NumpyFixtures.fortranInt32)
        #expect(matrix == NDArray(shape: [2, 3], int32s: [0, 1, 2, 3, 4, 5]))
        let cube = try decode(NumpyFixtures.fortranFloat64)
        #expect(cube.shape == [2, 3, 4] && cube.doubles() == (0..<24).map(Double.init))
    }

    @Test func readsBigEndianAsLittleEndian() throws {
        #expect(try decode(NumpyFixtures.bigEndianFloat32) == NDArray(shape: [3], floats: [1, -0.5, 3.25]))
        #expect(try decode(NumpyFixtures.bigEndianInt64) == NDArray(shape: [3], int64s: [1, -2, 1 << 40]))
        let half = try decode(NumpyFixtures.bigEndianFloat16)
        #expect(half.dtype == .float16 && half.floats() == [1, -2, 0.3330078125])
    }

    @Test func readsSmallTypes() throws {
        let half = try decode(NumpyFixtures.float16)
        #expect(half.floats() == [1, -2, 0.5, 65504, 0x1p-24, 0x1p-14, .infinity, -.infinity, 0.0999755859375])
        #expect(try decode(NumpyFixtures.bool) == NDArray(shape: [3], bools: [true, false, true]))
        #expect(try decode(NumpyFixtures.uint8) == NDArray(shape: [3], dtype: .uint8, bytes: [0, 255, 7]))
        #expect(try decode(NumpyFixtures.int8).floats() == [-128, 127, -1])
        let scalar = try decode(NumpyFixtures.scalar)
        #expect(scalar.shape == [] && scalar.floats() == [3.5])
        let empty = try decode(NumpyFixtures.empty)
        #expect(empty.shape == [0, 3] && empty.bytes.isEmpty)
    }

    @Test func encodesWhatNumpyWrites() {
        let numpy = NumpyFixtures.data(NumpyFixtures.v1Float32)
        #expect(NumpyFile.encode(NDArray(shape: [2, 3], floats: [0, 0.5, 1, 1.5, 2, 2.5])) == numpy)
        #expect(NumpyFile.encode(NDArray(shape: [3], bools: [true, false, true])) == NumpyFixtures.data(NumpyFixtures.bool))
        #expect(NumpyFile.encode(NDArray(shape: [], floats: [3.5])) == NumpyFixtures.data(NumpyFixtures.scalar))
    }

    @Test func largeHeaderUsesVersion2() throws {
        #expect(NumpyFile.encode(NDArray(shape: [Int](repeating: 1, count: 64), floats: [7]))[6] == 1)
        let huge = NumpyFile.encode(NDArray(shape: [Int](repeating: 1, count: 30_000), floats: [7]))
        let length = (8..<12).reversed().reduce(0) { $0 << 8 | Int(huge[$1]) }
        #expect(huge[6] == 2 && length > 65535 && (12 + length) % 64 == 0 && huge.count == 12 + length + 4)
        let padded = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}" + String(repeating: " ", count: 70_000),
                             data: [0, 0, 0x80, 0x3F], version: 2)
        #expect(try NumpyFile.decode(padded, name: "big.npy") == NDArray(shape: [1], floats: [1]))
    }

    @Test func rejectsUnsupportedTypes() {
        expectFormatError(.unsupported, "dtype '|O' is not supported", file: "fixture.npy") { try decode(NumpyFixtures.objectArray) }
        expectFormatError(.unsupported, "structured dtypes", file: "fixture.npy") { try decode(NumpyFixtures.structured) }
        expectFormatError(.unsupported, "dtype '<c8'", file: "fixture.npy") { try decode(NumpyFixtures.complex64) }
        let version4 = Data([0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0])
        expectFormatError(.unsupported, "version 4.0", file: "x.npy") { try NumpyFile.decode(version4, name: "x.npy") }
        let native = npyFile(header: "{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])
        expectFormatError(.unsupported, "'=f4'", file: "x.npy") { try NumpyFile.decode(native, name: "x.npy") }
        let deep = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (\(String(repeating: "1,", count: 65))), }", data: [0, 0, 0, 0])
        expectFormatError(.unsupported, "65 dimensions", file: "x.npy") { try NumpyFile.decode(deep, name: "x.npy") }
    }

    /// Hostile or corrupt headers and data: each must give a clear error, never a crash or big allocation.
    @Test(arguments: [
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "too large"),
        ("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", "too large"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000,), }", "truncated: shape [1000000000] of <f4 needs 4000000000 bytes, file has 4"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "integer out of range"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "not a non-negative integer"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }", "expected ','"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': ('1',), }", "not a non-negative integer"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", "shape is not a tuple"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "truncated"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}", "header keys"),
        ("{'descr': '<f4', 'descr': '<f4', 'shape': (1,)}", "header keys"),
        ("{'descr': '<f4', 'shape': (1,)}", "header keys"),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", "fortran_order"),
        ("{'descr': 4, 'fortran_order': False, 'shape': (1,), }", "descr is not a string"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } x", "unexpected text"),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", "expected a Python literal at the end of the header"),
        ("{'descr': '<f4\\n', 'fortran_order': False, 'shape': (1,), }", "unsupported character"),
        ("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,), }", "expected ','"),
        ("{1: '<f4'}", "key is not a string"),
        ("['descr']", "not a dictionary"),
        ("{'descr': " + String(repeating: "(", count: 5000), "nested too deeply"),
        ("", "expected a Python literal"),
    ])
    func rejectsHostileHeaders(header: String, problem: String) {
        let file = npyFile(header: header, data: [0, 0, 0x80, 0x3F])
        expectFormatError(.malformed, problem, file: "bad.npy") { try NumpyFile.decode(file, name: "bad.npy") }
    }

    @Test func rejectsBadFraming() {
        let valid = NumpyFixtures.data(NumpyFixtures.v1Float32)
        func check(_ bytes: Data, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation) {
            expectFormatError(.malformed, problem, file: "bad.npy", sourceLocation: sourceLocation) {
                try NumpyFile.decode(bytes, name: "bad.npy")
            }
        }
        check(Data(), "too short")
        check(valid.prefix(7), "too short")
        check(Data("PK\u{3}\u{4} not numpy".utf8), "not a .npy file")
        var longHeader = valid
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        check(longHeader, "header length 65535 runs past the end of the file (152 bytes)")
        check(valid.prefix(140), "truncated: shape [2, 3] of <f4 needs 24 bytes, file has 12")
        check(valid + [0], "1 unexpected bytes after the data")
        check(Data([0x93] + Array("NUMPY".utf8) + [2, 0, 1, 0, 0]), "ends inside the header length")
    }

    @Test func bytesAfterTheHeaderDictionaryMayOnlyBeWhitespace() throws {
        let tabs = npyFile(header: "{'descr': '<i4', 'fortran_order': False, 'shape': (1L,), }\t\r\n", data: [5, 0, 0, 0])
        #expect(try NumpyFile.decode(tabs, name: "ok.npy") == NDArray(shape: [1], int32s: [5]))
        let quoted = npyFile(header: "{\"descr\": \"|u1\", \"fortran_order\": True, \"shape\": (2, 1)}", data: [5, 6])
        #expect(try NumpyFile.decode(quoted, name: "ok.npy") == NDArray(shape: [2, 1], dtype: .uint8, bytes: [5, 6]))
    }
}
