import Foundation
import GRDB
import Testing

@testable import Experiments

/// The configuration and points of a small fake sweep.
struct SweepConfig: Codable {
    var sizes: [Int]
    var heads: Int
}

struct SweepPoint: Codable {
    var n: Int
    var heads: Int
}

let testMachine = MachineDescription(cpuModel: "Test CPU", cores: 2, peakGFLOPS: 100, operatingSystem: "TestOS")
let testConfig = SweepConfig(sizes: [64, 128, 256, 512, 1024], heads: 4)
let testPoints = testConfig.sizes.map { SweepPoint(n: $0, heads: testConfig.heads) }

/// Values as an experiment would store them, derived from the point so merges can be compared.
func testValues(_ point: SweepPoint) -> MeasurementValues {
    let seconds = 1e-9 * Double(point.n * point.n)
    let sample = TimingSample(seconds: [seconds, seconds * 1.01, seconds * 0.99], noisyThreshold: 0.1, stopReason: .stable)
    return MeasurementValues(sample, flops: 4 * Double(point.n * point.n * 64), peakGFLOPS: 100, metrics: ["ratio": 1.5])
}

/// Measures `points` (those `shard` owns and not done yet) into `store`, as an experiment does.
@discardableResult
func runSweep(_ store: ResultsStore, shard: Shard = .whole, points: [SweepPoint] = testPoints) throws -> Int {
    let run = try store.beginRun(experiment: "scaling", config: testConfig, machine: testMachine,
                                 shard: shard, commandLine: "attnlab experiment scaling", gitCommit: nil)
    let done = try store.completedPoints(experiment: run.experiment, configHash: run.configHash)
    var recorded = 0
    for (_, point) in shard.select(points) {
        let key = try CanonicalJSON.pointKey(point)
        if done.contains(key) { continue }
        if try store.record(run: run, pointKey: key, values: testValues(point)) { recorded += 1 }
    }
    try store.finishRun(run)
    return recorded
}

func fileBytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

/// Creates a results file with only the v1 schema, as an older attnlab wrote it, and runs `sql` in it.
func writeVersion1File(path: String, sql: String) throws {
    let old = try ResultsStore.open(path: path, migratingUpTo: "v1")
    try old.queue.write { db in
        #expect(try !db.columns(in: "run").map(\.name).contains("status"))
        try db.execute(sql: sql)
    }
    try old.queue.close()
}

@Suite("Results store")
struct ResultsStoreTests {
    @Test func createRecordReopenAndResume() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path(ResultsStore.defaultFileName)

        do {
            let store = try ResultsStore.open(path: path)
            // A first run killed after two points: nothing finishes it.
            let run = try store.beginRun(experiment: "scaling", config: testConfig, machine: testMachine,
                                         commandLine: "attnlab experiment scaling", gitCommit: "abc")
            for point in testPoints.prefix(2) {
                #expect(try store.record(run: run, pointKey: CanonicalJSON.pointKey(point), values: testValues(point)))
            }
        }

        let reopened = try ResultsStore.open(path: path)
        let configHash = try CanonicalJSON.hash(testConfig)
        let done = try reopened.completedPoints(experiment: "scaling", configHash: configHash)
        #expect(done == Set(try testPoints.prefix(2).map { try CanonicalJSON.pointKey($0) }))
        #expect(try runSweep(reopened) == 3)  // resumes: only the three missing points

        let measurements = try reopened.measurements(experiment: "scaling")
        #expect(measurements.count == 5)
        #expect(Set(measurements.map(\.pointKey)).count == 5)
        let values = try measurements[0].values(as: MeasurementValues.self)
        #expect(values == testValues(testPoints[0]))
        #expect(abs(values.fractionOfPeak! - values.gflops! / 100) < 1e-12)

        let runs = try reopened.runs()
        #expect(runs.count == 2)
        #expect(runs[0].status == .running && runs[0].finishedAt == nil && runs[0].gitCommit == "abc")
        #expect(runs[1].status == .finished && runs[1].finishedAt != nil && runs[1].shard == "0/1")
        #expect(runs[0].configHash == configHash && runs[0].machine == testMachine)
        #expect(runs[0].configJSON == #"{"heads":4,"sizes":[64,128,256,512,1024]}"#)
        #expect(try reopened.measurements(experiment: "other").isEmpty)
    }

    @Test func duplicatePointIsIgnored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let run = try store.beginRun(experiment: "scaling", config: testConfig, machine: testMachine, gitCommit: nil)
        let key = try CanonicalJSON.pointKey(testPoints[0])
        #expect(try store.record(run: run, pointKey: key, values: testValues(testPoints[0])))
        #expect(try !store.record(run: run, pointKey: key, values: testValues(testPoints[1])))
        let stored = try store.measurements()
        #expect(stored.count == 1)
        #expect(try stored[0].values(as: MeasurementValues.self) == testValues(testPoints[0]))  // first one kept
        // The same point under another configuration is a different measurement.
        let other = try store.beginRun(experiment: "scaling", config: SweepConfig(sizes: [64], heads: 1),
                                       machine: testMachine, gitCommit: nil)
        #expect(try store.record(run: other, pointKey: key, values: testValues(testPoints[0])))
    }

    @Test func exportsCSVAndJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        try runSweep(store, points: Array(testPoints.prefix(2)))

        let csv = try store.export(.csv).split(separator: "\n").map(String.init)
        #expect(csv.count == 3)
        let header = csv[0].split(separator: ",").map(String.init)
        #expect(header.prefix(5) == ["run_id", "experiment", "config_hash", "point_key", "created_at"])
        #expect(header.contains("point.n") && header.contains("point.heads"))
        #expect(header.contains("median") && header.contains("metrics.ratio") && header.contains("seconds"))
        #expect(csv[1].hasPrefix("1,scaling,\(try CanonicalJSON.hash(testConfig)),\"{\"\"heads\"\":4,\"\"n\"\":64}\","))
        let nColumn = try #require(header.firstIndex(of: "point.n"))
        #expect(csv[2].contains(",128,") && nColumn > 4)

        let json = try JSONValue(parsing: try store.export(.json))
        guard case .array(let runs)? = json.fields["runs"], case .array(let measurements)? = json.fields["measurements"] else {
            Issue.record("export has no runs or measurements array")
            return
        }
        #expect(runs.count == 1 && measurements.count == 2)
        #expect(measurements[1].fields["point"]?.fields["n"] == .number(128))
        #expect(measurements[1].fields["values"]?.fields["metrics"]?.fields["ratio"] == .number(1.5))
        #expect(runs[0].fields["config"]?.fields["heads"] == .number(4))
        #expect(runs[0].fields["machine"]?.fields["cpuModel"] == .string("Test CPU"))
    }

    @Test func refusesANonSQLiteFileAndLeavesItUntouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.sqlite")
        let original = Data(String(repeating: "my precious notes\n", count: 20).utf8)
        try original.write(to: URL(fileURLWithPath: path))
        #expect(throws: ResultsStoreError.notSQLite(path: path)) { try ResultsStore.open(path: path) }
        #expect(try fileBytes(path) == original)
    }

    @Test func refusesAForeignSQLiteDatabaseAndLeavesItUntouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plain = directory.path("plain.sqlite")
        let tagged = directory.path("tagged.sqlite")
        for (path, applicationID) in [(plain, 0), (tagged, 1234)] {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE run (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO run (name) VALUES ('theirs')")
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            }
            try queue.close()
        }
        for path in [plain, tagged] {
            let before = try fileBytes(path)
            #expect {
                try ResultsStore.open(path: path)
            } throws: { error in
                guard case .foreignDatabase(let refused, _) = error as? ResultsStoreError else { return false }
                return refused == path
            }
            #expect(try fileBytes(path) == before)
        }
    }

    @Test func acceptsAnEmptyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let store = try ResultsStore.open(path: path)
        try runSweep(store)
        #expect(try store.measurements().count == testPoints.count)
    }

    @Test func migratesAVersion1FileAndKeepsItsRows() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.sqlite")
        try writeVersion1File(path: path, sql: """
            INSERT INTO run (uuid, experiment, command_line, config_json, config_hash, git_commit, machine_json,
                             started_at, finished_at)
            VALUES ('u-1', 'scaling', 'attnlab experiment scaling', '{}', 'h1', NULL, '{}',
                    '2025-01-01T10:00:00.000Z', '2025-01-01T10:05:00.000Z'),
                   ('u-2', 'scaling', 'attnlab experiment scaling', '{}', 'h1', NULL, '{}',
                    '2025-01-02T10:00:00.000Z', NULL);
            INSERT INTO measurement (run_id, experiment, config_hash, point_key, values_json, created_at)
            VALUES (1, 'scaling', 'h1', '{"n":64}', '{"median":0.5}', '2025-01-01T10:01:00.000Z');
            """)

        let upgraded = try ResultsStore.open(path: path)
        let runs = try upgraded.runs()
        #expect(runs.map(\.uuid) == ["u-1", "u-2"])
        #expect(runs.map(\.status) == [.finished, .running])
        #expect(runs.allSatisfy { $0.shard == nil })
        let measurements = try upgraded.measurements()
        #expect(measurements.count == 1)
        #expect(measurements[0].pointKey == #"{"n":64}"# && measurements[0].valuesJSON == #"{"median":0.5}"#)
        #expect(try upgraded.completedPoints(experiment: "scaling", configHash: "h1") == [#"{"n":64}"#])
    }

    @Test func refusesAFileFromANewerVersion() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("new.sqlite")
        let store = try ResultsStore.open(path: path)
        try store.queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
        }
        try store.queue.close()
        let before = try fileBytes(path)
        #expect(throws: ResultsStoreError.newerSchema(path: path, unknownMigrations: ["v99"])) {
            try ResultsStore.open(path: path)
        }
        #expect(try fileBytes(path) == before)
    }

    @Test func finishingAnUnknownRunFails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let run = try store.beginRun(experiment: "scaling", config: testConfig, machine: testMachine, gitCommit: nil)
        try store.finishRun(run, status: .interrupted)
        #expect(try store.runs()[0].status == .interrupted)
        try store.queue.write { db in try db.execute(sql: "DELETE FROM run") }
        #expect(throws: ResultsStoreError.unknownRun(id: run.id)) { try store.finishRun(run) }
    }
}
