import Foundation
import Testing
@testable import Formats

@Suite("atomic writing and reading files")
struct FileWritingTests {
    @Test func npyWriteReadAndOverwrite() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("a.npy")
            let first = NDArray(shape: [2], floats: [1, 2])
            let second = NDArray(shape: [1], int64s: [3])
            try NumpyFile.write(first, to: url)
            #expect(try NumpyFile.read(contentsOf: url) == first)
            expectFormatError(.fileExists, "file exists", file: url.path) { try NumpyFile.write(second, to: url) }
            #expect(try NumpyFile.read(contentsOf: url) == first)
            try NumpyFile.write(second, to: url, overwrite: true)
            #expect(try NumpyFile.read(contentsOf: url) == second)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.npy"])
        }
    }

    @Test func safetensorsWriteReadAndOverwrite() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("m.safetensors")
            var tensors = SafeTensors(metadata: ["step": "1"])
            tensors["w"] = NDArray(shape: [2, 2], floats: [1, 2, 3, 4], as: .bfloat16)
            try SafeTensorsFile.write(tensors, to: url)
            #expect(try SafeTensorsFile.read(contentsOf: url) == tensors)
            expectFormatError(.fileExists, "not replaced", file: url.path) { try SafeTensorsFile.write(SafeTensors(), to: url) }
            try SafeTensorsFile.write(SafeTensors(), to: url, overwrite: true)
            #expect(try SafeTensorsFile.read(contentsOf: url).count == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["m.safetensors"])
        }
    }

    @Test func ioErrorsNameThePath() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("missing.npy")
            expectFormatError(.io, "no such file", file: missing.path) { try NumpyFile.read(contentsOf: missing) }
            let noDirectory = directory.appendingPathComponent("nope/out.safetensors")
            expectFormatError(.io, "cannot write", file: noDirectory.path) {
                try SafeTensorsFile.write(SafeTensors(), to: noDirectory)
            }
            let garbage = directory.appendingPathComponent("garbage.safetensors")
            try Data("not a file".utf8).write(to: garbage)
            expectFormatError(.malformed, "exceeds", file: garbage.path) { try SafeTensorsFile.read(contentsOf: garbage) }
        }
    }
}
