import Foundation
import Testing
@testable import Formats

/// The output policy at the library level; `Tests/ExperimentsTests/Adversarial` runs it through every
/// command of the CLI.
@Suite("OutputFiles: the output policy, all or nothing")
struct OutputFilesTests {
    @Test func writesEveryOutputOnlyAtCommitAndCleansUp() throws {
        try withTemporaryDirectory { directory in
            let paths = ["a", "b"].map { directory.appendingPathComponent($0).path }
            do {
                let outputs = try OutputFiles(paths, force: false)
                try outputs.write(Data("1".utf8), to: paths[0])
                // Dropped before commit: nothing appears, no temporary stays.
                #expect(!FileManager.default.fileExists(atPath: paths[0]))
                _ = outputs
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            let outputs = try OutputFiles(paths, force: false)
            for path in paths { try outputs.write(Data(path.utf8), to: path) }
            try outputs.commit()
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["a", "b"])
            #expect(try String(contentsOfFile: paths[1], encoding: .utf8) == paths[1])
        }
    }

    @Test func refusesInputsByIdentityAndRepeatedOutputs() throws {
        try withTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("in").path, hard = directory.appendingPathComponent("hard").path
            try Data("x".utf8).write(to: URL(fileURLWithPath: input))
            try FileManager.default.linkItem(atPath: input, toPath: hard)
            expectFormatError(.refused, "input", file: hard) { try OutputFiles([hard], inputs: [input], force: true) }
            let out = directory.appendingPathComponent("out").path
            expectFormatError(.refused, "same file as the output", file: directory.path + "/./out") {
                try OutputFiles([out, directory.path + "/./out"], force: false)
            }
            expectFormatError(.refused, "empty", file: "''") { try OutputFiles([""], force: true) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["hard", "in"])
        }
    }

    @Test func aFileCreatedBeforeCommitIsNotReplacedWithoutForce() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("late").path
            let outputs = try OutputFiles([path], force: false)
            try outputs.write(Data("new".utf8), to: path)
            try Data("theirs".utf8).write(to: URL(fileURLWithPath: path))
            expectFormatError(.fileExists, "not replaced", file: path) { try outputs.commit() }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "theirs")
        }
    }

    @Test func aFailedCommitPutsBackTheOutputsAlreadyMoved() throws {
        try withTemporaryDirectory { directory in
            let paths = ["replaced", "new", "late"].map { directory.appendingPathComponent($0).path }
            try Data("old".utf8).write(to: URL(fileURLWithPath: paths[0]))
            let outputs = try OutputFiles(paths, force: true)
            for path in paths { try outputs.write(Data("fresh".utf8), to: path) }
            #expect(mkfifo(paths[2], 0o644) == 0)  // appears before commit: not a file --force may replace
            expectFormatError(.refused, "FIFO", file: paths[2]) { try outputs.commit() }
            #expect(try String(contentsOfFile: paths[0], encoding: .utf8) == "old")
            #expect(!FileManager.default.fileExists(atPath: paths[1]))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["late", "replaced"])
        }
    }

    @Test func firstNonFiniteNamesTheIndex() {
        let array = NDArray(shape: [2, 3], floats: [0, 1, 2, 3, .nan, 5])
        #expect(array.firstNonFinite()?.offset == 4 && array.firstNonFinite()?.index == [1, 1])
        #expect(array.firstNonFinite()?.description == "NaN at index [1, 1]")
        let wide = NDArray(shape: [2], doubles: [1, 1e300])
        #expect(wide.firstNonFinite() == nil)
        #expect(wide.firstNonFinite(inFloat32: true)?.description == "1e+300 (beyond float32's range) at index [1]")
        #expect(NDArray(shape: [1], int64s: [1]).firstNonFinite() == nil)
    }
}
