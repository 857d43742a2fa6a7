import Foundation
import Testing
@testable import Formats

@Suite("float16 and bfloat16 conversion")
struct HalfPrecisionTests {
    /// All 65536 bit patterns of a 16-bit type, as an array of that dtype.
    func everyPattern(_ dtype: DType) -> NDArray {
        let bytes = (0...UInt16.max).flatMap { [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)] }
        return try! NDArray(shape: [65536], dtype: dtype, bytes: bytes)
    }

    @Test func knownFloat16Values() {
        let cases: [(UInt16, Float)] = [
            (0x0000, 0), (0x8000, -0.0), (0x3C00, 1), (0xC000, -2), (0x3555, 0.333251953125), (0x7BFF, 65504),
            (0x0001, 0x1p-24), (0x03FF, 1023 * 0x1p-24), (0x0400, 0x1p-14), (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        for (bits, value) in cases {
            #expect(HalfPrecision.float(fromHalf: bits).bitPattern == value.bitPattern)
            #expect(HalfPrecision.half(from: value) == bits)
        }
        #expect(HalfPrecision.float(fromHalf: 0x7E00).isNaN)
        #expect(HalfPrecision.float(fromHalf: 0x7C01).isNaN)
        #expect(HalfPrecision.half(from: .nan) & 0x7FFF > 0x7C00)
    }

    @Test func float16RoundingAtTheEdges() {
        #expect(HalfPrecision.half(from: 65519) == 0x7BFF)  // below the midpoint to 2^16
        #expect(HalfPrecision.half(from: 65520) == 0x7C00)  // ties to even: rounds to inf
        #expect(HalfPrecision.half(from: 1e10) == 0x7C00)
        #expect(HalfPrecision.half(from: 0x1p-25) == 0x0000)  // tie between 0 and the smallest subnormal
        #expect(HalfPrecision.half(from: 0x1.000002p-25) == 0x0001)
        #expect(HalfPrecision.half(from: 3 * 0x1p-25) == 0x0002)  // tie, rounds to even
        #expect(HalfPrecision.half(from: 1 + 0x1p-11) == 0x3C00)  // tie, rounds to even
        #expect(HalfPrecision.half(from: 1 + 3 * 0x1p-11) == 0x3C02)
        #expect(HalfPrecision.half(from: Float.leastNonzeroMagnitude) == 0)
        #expect(HalfPrecision.half(from: -0x1p-30) == 0x8000)
    }

    @Test func everyFloat16PatternRoundTrips() {
        let array = everyPattern(.float16)
        let floats = array.floats()
        let back = NDArray(shape: [65536], floats: floats, as: .float16)
        let mismatches = (0..<65536).filter { !floats[$0].isNaN && back.bytes[2 * $0..<2 * $0 + 2] != array.bytes[2 * $0..<2 * $0 + 2] }
        #expect(mismatches.isEmpty)
        #expect(zip(array.doubles(), floats).allSatisfy { $0.isNaN ? $1.isNaN : $0 == Double($1) })
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func float16MatchesSwiftFloat16() {
        let floats = everyPattern(.float16).floats()
        let wrongFloats = (0...UInt16.max).filter { bits in
            let expected = Float(Float16(bitPattern: bits))
            return expected.isNaN ? !floats[Int(bits)].isNaN : floats[Int(bits)].bitPattern != expected.bitPattern
        }
        #expect(wrongFloats.isEmpty)
        // Floats between neighbouring halfs (exercising rounding) and anywhere in the Float range.
        var generator = SplitMix(state: 16)
        var wrongHalfs: [Float] = []
        for _ in 0..<100_000 {
            let base = HalfPrecision.float(fromHalf: UInt16.random(in: 0...UInt16.max, using: &generator))
            let nearby = Float(bitPattern: base.bitPattern &+ UInt32.random(in: 0..<(1 << 13), using: &generator))
            let anywhere = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
            for value in [nearby, anywhere] where !value.isNaN && HalfPrecision.half(from: value) != Float16(value).bitPattern {
                wrongHalfs.append(value)
            }
        }
        #expect(wrongHalfs.isEmpty)
    }
    #endif

    @Test func knownBFloat16Values() {
        let cases: [(UInt16, Float)] = [
            (0x3F80, 1), (0xC040, -3), (0x3EAB, 0.333984375), (0x0001, 0x1p-133), (0x7F80, .infinity), (0x8000, -0.0),
        ]
        for (bits, value) in cases {
            #expect(HalfPrecision.float(fromBFloat16: bits).bitPattern == value.bitPattern)
            #expect(HalfPrecision.bfloat16(from: value) == bits)
        }
        #expect(HalfPrecision.bfloat16(from: Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(HalfPrecision.bfloat16(from: Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(HalfPrecision.bfloat16(from: Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfPrecision.bfloat16(from: .greatestFiniteMagnitude) == 0x7F80)
        #expect(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: Float(bitPattern: 0x7F80_0001))).isNaN)
    }

    @Test func everyBFloat16PatternRoundTrips() {
        let array = everyPattern(.bfloat16)
        let floats = array.floats()
        #expect((0...UInt16.max).allSatisfy { floats[Int($0)].bitPattern == UInt32($0) << 16 })
        let back = NDArray(shape: [65536], floats: floats, as: .bfloat16)
        let mismatches = (0..<65536).filter { !floats[$0].isNaN && back.bytes[2 * $0..<2 * $0 + 2] != array.bytes[2 * $0..<2 * $0 + 2] }
        #expect(mismatches.isEmpty)
    }
}
