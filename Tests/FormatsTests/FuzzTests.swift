import Foundation
import Testing
@testable import Formats

/// Random corruptions and every truncation of valid files: decoding must return an array or throw a
/// `FormatError`; a crash, a hang or another error type fails the suite.
@Suite("fuzzing the readers")
struct FuzzTests {
    static let corruptionsPerFile = 5000

    static var npyFiles: [Data] {
        [NumpyFixtures.data(NumpyFixtures.v1Float32), NumpyFixtures.data(NumpyFixtures.v3Int64),
         NumpyFixtures.data(NumpyFixtures.fortranFloat64), NumpyFixtures.data(NumpyFixtures.bigEndianFloat16)]
    }

    static var safetensorsFiles: [Data] {
        var small = SafeTensors(metadata: ["format": "pt"])
        small["w"] = NDArray(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        small["h"] = NDArray(shape: [3], floats: [1, -1, 0.5], as: .float16)
        var mixed = SafeTensors()
        mixed["b"] = NDArray(shape: [2, 2], floats: [1, 2, 3, 4], as: .bfloat16)
        mixed["e"] = NDArray(shape: [0], doubles: [])
        mixed["i"] = NDArray(shape: [], int64s: [42])
        mixed["m"] = NDArray(shape: [2], bools: [true, false])
        let handWritten = safetensorsFile(
            header: #"{"a":{"dtype":"F64","shape":[1],"data_offsets":[4,12]},"b":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}"#,
            data: [UInt8](repeating: 1, count: 12))
        return [SafeTensorsFile.encode(small), SafeTensorsFile.encode(mixed), handWritten]
    }

    /// `file` with one random corruption: bytes overwritten (random or structural values), inserted or
    /// deleted, or a header length field replaced.
    static func corrupt(_ file: Data, _ generator: inout SplitMix) -> Data {
        var bytes = [UInt8](file)
        let interesting: [UInt8] = Array("0123456789-.,:[]{}()'\"\\ eE".utf8) + [0, 0x7F, 0x80, 0xFF]
        let position = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
        case 1:
            for _ in 0..<Int.random(in: 2...8, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
        case 2: bytes[position] = interesting.randomElement(using: &generator)!
        case 3: bytes.insert(interesting.randomElement(using: &generator)!, at: position)
        case 4: bytes.remove(at: position)
        default:  // a length field (safetensors bytes 0..<8, .npy bytes 8..<12) gets a random value
            for i in 0..<4 { bytes[Int.random(in: 0..<12, using: &generator) % bytes.count] = i == 0 ? 0xFF : UInt8.random(in: 0...255, using: &generator) }
        }
        return Data(bytes)
    }

    /// Decodes every corruption and truncation of each file; returns how many decoded successfully.
    static func fuzz(_ files: [Data], seed: UInt64, decode: (Data) throws -> Void) -> Int {
        var generator = SplitMix(state: seed)
        var successes = 0
        for file in files {
            let variants = (0..<corruptionsPerFile).map { _ in corrupt(file, &generator) } + (0..<file.count).map { file.prefix($0) }
            for variant in variants {
                do {
                    try decode(variant)
                    successes += 1
                } catch is FormatError {
                } catch {
                    Issue.record("unexpected error type: \(error)")
                }
            }
        }
        return successes
    }

    @Test func npyCorruptionsNeverCrash() {
        let successes = Self.fuzz(Self.npyFiles, seed: 1) { data in
            let array = try NumpyFile.decode(data, name: "fuzz.npy")
            #expect(array.bytes.count == array.shape.reduce(1, *) * array.dtype.byteSize)
        }
        #expect(successes > 0 && successes < Self.npyFiles.count * Self.corruptionsPerFile)
    }

    @Test func safetensorsCorruptionsNeverCrash() {
        let successes = Self.fuzz(Self.safetensorsFiles, seed: 2) { data in
            let tensors = try SafeTensorsFile.decode(data, name: "fuzz.safetensors")
            for (_, array) in tensors.tensors {
                #expect(array.bytes.count == array.shape.reduce(1, *) * array.dtype.byteSize)
            }
        }
        #expect(successes > 0 && successes < Self.safetensorsFiles.count * Self.corruptionsPerFile)
    }
}
