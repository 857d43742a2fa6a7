import Testing
@testable import Formats

@Suite("NDArray")
struct NDArrayTests {
    @Test func byteSizes() {
        #expect(DType.allCases.map(\.byteSize) == [2, 2, 4, 8, 1, 1, 4, 8, 1])
        #expect(DType.allCases.filter(\.isFloatingPoint) == [.float16, .bfloat16, .float32, .float64])
    }

    @Test func typedInitialisersStoreLittleEndianBytes() {
        #expect(NDArray(shape: [2], floats: [1, -2]).bytes == [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
        #expect(NDArray(shape: [], doubles: [1]).bytes == [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        #expect(NDArray(shape: [1], int32s: [-2]).bytes == [0xFE, 0xFF, 0xFF, 0xFF])
        #expect(NDArray(shape: [1], int64s: [258]).bytes == [2, 1, 0, 0, 0, 0, 0, 0])
        #expect(NDArray(shape: [3], bools: [true, false, true]).bytes == [1, 0, 1])
        #expect(NDArray(shape: [1], floats: [1], as: .float16).bytes == [0, 0x3C])
        #expect(NDArray(shape: [1], floats: [1], as: .bfloat16).bytes == [0x80, 0x3F])
        #expect(NDArray(shape: [1], floats: [0.5], as: .float64) == NDArray(shape: [1], doubles: [0.5]))
    }

    @Test func valuesConvertFromEveryDType() throws {
        let expected: [Double] = [0, 1, 2]
        let arrays: [NDArray] = [
            NDArray(shape: [3], floats: [0, 1, 2], as: .float16), NDArray(shape: [3], floats: [0, 1, 2], as: .bfloat16),
            NDArray(shape: [3], floats: [0, 1, 2]), NDArray(shape: [3], doubles: expected),
            try NDArray(shape: [3], dtype: .int8, bytes: [0, 1, 2]), try NDArray(shape: [3], dtype: .uint8, bytes: [0, 1, 2]),
            NDArray(shape: [3], int32s: [0, 1, 2]), NDArray(shape: [3], int64s: [0, 1, 2]),
        ]
        for array in arrays {
            #expect(array.doubles() == expected, "\(array.dtype)")
            #expect(array.floats() == expected.map(Float.init), "\(array.dtype)")
            #expect(array.count == 3)
        }
        #expect(try NDArray(shape: [2], dtype: .int8, bytes: [0xFF, 0x80]).floats() == [-1, -128])
        #expect(NDArray(shape: [1], int64s: [-(1 << 40)]).doubles() == [-0x1p40])
        #expect(NDArray(shape: [2], bools: [true, false]).floats() == [1, 0])
        #expect(NDArray(shape: [1], doubles: [0.1]).floats() == [Float(0.1)])
    }

    @Test func rawBytesAreValidated() throws {
        let bool = try NDArray(shape: [2], dtype: .bool, bytes: [0, 7])
        #expect(bool.bytes == [0, 1])
        #expect(bool.isFloatingPoint == false)
        expectFormatError(.malformed, "needs 8 bytes, got 6", file: "in-memory array") {
            try NDArray(shape: [2], dtype: .float32, bytes: [UInt8](repeating: 0, count: 6))
        }
        expectFormatError(.malformed, "negative or too large", file: "in-memory array") {
            try NDArray(shape: [-1], dtype: .float32, bytes: [])
        }
        expectFormatError(.malformed, "negative or too large", file: "in-memory array") {
            try NDArray(shape: [1 << 40, 1 << 40], dtype: .uint8, bytes: [])
        }
    }
}
