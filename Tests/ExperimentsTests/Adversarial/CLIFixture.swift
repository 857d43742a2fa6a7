import Foundation
import GRDB

@testable import Experiments

/// A temporary directory holding small valid inputs for every `attnlab` command, for the adversarial
/// suites: attention arrays, a 0/1 instance and a results file.
struct CLIFixture {
    let directory: TemporaryDirectory
    /// Attention arrays `[1, 2, 8, 4]` (queries, keys, values, gradient of the output).
    let queries, keys, values, gradOutput: String
    /// MoDA depth slots for those queries, `[1, 2, 8, 3, 4]` (keys and values).
    let depthKeys, depthValues: String
    /// A 0/1 matrix `[4, 6]` for `hardness solve ov`.
    let setA: String
    /// A results file holding five measured points of an experiment named "probe".
    let database: String

    init() throws {
        directory = try TemporaryDirectory()
        let shape = [1, 2, 8, 4], count = 64
        queries = directory.path("q.npy")
        keys = directory.path("k.npy")
        values = directory.path("v.npy")
        gradOutput = directory.path("do.npy")
        for (index, path) in [queries, keys, values, gradOutput].enumerated() {
            try writeNpy(path, shape: shape, values: (0..<count).map { Float(($0 * 7 + index * 3) % 11) / 11 - 0.5 })
        }
        depthKeys = directory.path("depth-k.npy")
        depthValues = directory.path("depth-v.npy")
        for (index, path) in [depthKeys, depthValues].enumerated() {
            try writeNpy(path, shape: [1, 2, 8, 3, 4], values: (0..<192).map { Float(($0 * 5 + index) % 13) / 13 - 0.5 })
        }
        setA = directory.path("a.npy")
        try writeNpy(setA, shape: [4, 6], values: (0..<24).map { Float(($0 * 5) % 3 == 0 ? 1 : 0) })
        database = directory.path("results.sqlite")
        let store = try ResultsStore.open(path: database)
        try runSweep(store)
        // An experiment no report section decodes, so `report` renders it without analysing the fake values.
        try store.queue.write { db in
            try db.execute(sql: "UPDATE run SET experiment = 'probe'; UPDATE measurement SET experiment = 'probe'")
        }
    }

    func path(_ name: String) -> String { directory.path(name) }

    func remove() { directory.remove() }

    /// The names in the directory that a failed command must not leave: temporaries of the output policy.
    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.contains("attnlab-tmp") }
    }
}

/// Writes a float32 `.npy` file by hand (the tests of this target do not link Formats).
func writeNpy(_ path: String, shape: [Int], values: [Float]) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: Array(header.utf8))
    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    try data.write(to: URL(fileURLWithPath: path))
}

extension Attnlab.Result {
    /// A clean failure: a non-zero exit (no signal), nothing on standard output, and exactly one `Error:`
    /// line on standard error, free of SQL and Foundation error dumps.
    var isCleanFailure: Bool {
        let lines = standardError.split(separator: "\n")
        return status != 0 && !signalled && standardOutput.isEmpty
            && lines.filter { $0.hasPrefix("Error:") }.count == 1
            && !standardError.contains("SELECT ") && !standardError.contains("UserInfo=")
            && !standardError.contains("Error Domain=")
    }

    /// The `Error:` line.
    var errorLine: String { standardError.split(separator: "\n").first { $0.hasPrefix("Error:") }.map(String.init) ?? "" }
}
