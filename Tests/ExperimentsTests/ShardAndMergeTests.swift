import Foundation
import Testing

@testable import Experiments

@Suite("Shards")
struct ShardTests {
    @Test func partitionCoversEveryPointExactlyOnce() throws {
        for count in 1...7 {
            let shards = try (0..<count).map { try Shard(index: $0, count: count) }
            for pointCount in [0, 1, 5, 23] {
                let owners = (0..<pointCount).map { point in shards.filter { $0.owns(pointIndex: point) }.count }
                #expect(owners.allSatisfy { $0 == 1 })
                let selected = shards.flatMap { $0.select(Array(0..<pointCount)).map(\.point) }
                #expect(selected.sorted() == Array(0..<pointCount))
            }
        }
        #expect(try Shard(index: 1, count: 3).select(["a", "b", "c", "d", "e"]).map(\.index) == [1, 4])
    }

    @Test func parsesAndRejectsText() throws {
        #expect(try Shard.parse("2/4") == Shard(index: 2, count: 4))
        #expect(try Shard.parse(" 0 / 1 ") == .whole)
        #expect(Shard.whole.description == "0/1")
        #expect(throws: ShardError.malformed("2-4")) { try Shard.parse("2-4") }
        #expect(throws: ShardError.malformed("a/4")) { try Shard.parse("a/4") }
        #expect(throws: ShardError.outOfRange(index: 4, count: 4)) { try Shard.parse("4/4") }
        #expect(throws: ShardError.outOfRange(index: 0, count: 0)) { try Shard.parse("0/0") }
    }

    @Test func readsSlurmArrayEnvironment() throws {
        #expect(try Shard.fromEnvironment([:]) == nil)
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 3, count: 4))
        let offset = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "2"]
        #expect(try Shard.fromEnvironment(offset) == Shard(index: 3, count: 4))
        let stepped = ["SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0",
                       "SLURM_ARRAY_TASK_STEP": "4"]
        #expect(try Shard.fromEnvironment(stepped) == Shard(index: 2, count: 4))
        #expect(throws: ShardError.badEnvironment(variable: "SLURM_ARRAY_TASK_ID", value: "x")) {
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"])
        }
        #expect(throws: ShardError.outOfRange(index: 4, count: 4)) {
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"])
        }
    }
}

@Suite("Merging results files")
struct MergeTests {
    /// What identifies a measurement's content, independent of row ids and times.
    func contents(_ store: ResultsStore) throws -> Set<String> {
        Set(try store.measurements().map { "\($0.experiment)|\($0.configHash)|\($0.pointKey)|\($0.valuesJSON)" })
    }

    @Test func mergedShardsEqualTheUnshardedRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let whole = try ResultsStore.open(path: directory.path("whole.sqlite"))
        try runSweep(whole)

        let shardPaths = [directory.path("shard0.sqlite"), directory.path("shard1.sqlite")]
        for (index, path) in shardPaths.enumerated() {
            try runSweep(try ResultsStore.open(path: path), shard: try Shard(index: index, count: 2))
        }
        let shard1Before = try fileBytes(shardPaths[1])

        let merged = try ResultsStore.open(path: directory.path("merged.sqlite"))
        let first = try merged.merge(from: shardPaths[0])
        let second = try merged.merge(from: shardPaths[1])
        #expect(first == MergeSummary(runsAdded: 1, runsAlreadyPresent: 0, measurementsAdded: 3, measurementsAlreadyPresent: 0))
        #expect(second == MergeSummary(runsAdded: 1, runsAlreadyPresent: 0, measurementsAdded: 2, measurementsAlreadyPresent: 0))
        #expect(try contents(merged) == contents(whole))
        #expect(try merged.runs().compactMap(\.shard) == ["0/2", "1/2"])
        #expect(try fileBytes(shardPaths[1]) == shard1Before)

        let again = try merged.merge(from: shardPaths[1])
        #expect(again == MergeSummary(runsAdded: 0, runsAlreadyPresent: 1, measurementsAdded: 0, measurementsAlreadyPresent: 2))
        // Measurements of another run already present are skipped, the run itself is copied.
        let overlap = try whole.merge(from: shardPaths[0])
        #expect(overlap == MergeSummary(runsAdded: 1, runsAlreadyPresent: 0, measurementsAdded: 0, measurementsAlreadyPresent: 3))
        #expect(try whole.measurements().count == testPoints.count)
    }

    @Test func mergeMigratesAnOlderSourceWithoutTouchingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let oldPath = directory.path("old.sqlite")
        try writeVersion1File(path: oldPath, sql: """
            INSERT INTO run (uuid, experiment, command_line, config_json, config_hash, machine_json, started_at)
            VALUES ('u-old', 'scaling', 'c', '{}', 'h', '{}', '2025-01-01T00:00:00.000Z');
            INSERT INTO measurement (run_id, experiment, config_hash, point_key, values_json, created_at)
            VALUES (1, 'scaling', 'h', '{"n":1}', '{}', '2025-01-01T00:00:01.000Z');
            """)
        let before = try fileBytes(oldPath)
        let target = try ResultsStore.open(path: directory.path("new.sqlite"))
        #expect(try target.merge(from: oldPath).measurementsAdded == 1)
        #expect(try target.runs().map(\.uuid) == ["u-old"])
        #expect(try fileBytes(oldPath) == before)
    }

    @Test func mergeRefusesMissingAndForeignFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try ResultsStore.open(path: directory.path("r.sqlite"))
        let missing = directory.path("missing.sqlite")
        #expect(throws: ResultsStoreError.fileNotFound(path: missing)) { try target.merge(from: missing) }
        let text = directory.path("text.sqlite")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: text))
        #expect(throws: ResultsStoreError.notSQLite(path: text)) { try target.merge(from: text) }
    }
}
