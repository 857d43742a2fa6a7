import Foundation
import GRDB
import Testing

@testable import Experiments

/// These tests run the real `attnlab` binary (built by `swift build`/`swift test` next to the test
/// bundle) on real results files.
@Suite("attnlab experiment, results and report as processes")
struct ExperimentCLITests {
    /// A scaling sweep of 6 flash points, each timed 60 times: slow enough (≈ 0.1–0.5 s a point on 2
    /// cores at full speed) to be killed part-way.
    static let slowSweep = [
        "experiment", "scaling", "--lengths", "1024,1280,1536,1792,2048,2304", "--head-dims", "64", "--fixed-length", "1024",
        "--paths", "flash", "--warmup", "0", "--min-repeats", "120", "--max-repeats", "120", "--budget", "100", "--json",
    ]

    /// A sweep of 12 cheap points (two paths, N and m sweeps), one timed call each.
    static let quickSweep = [
        "experiment", "scaling", "--lengths", "64,96,128,160", "--head-dims", "16,32", "--fixed-length", "64",
        "--paths", "flash,naive", "--warmup", "0", "--min-repeats", "1", "--max-repeats", "1", "--quiet",
    ]

    /// Synchronous on purpose: a test that awaits can wait long to be resumed while other tests keep the
    /// cooperative threads busy, and then miss the moment to kill the sweep.
    @Test func killedSweepResumesWithoutDuplicatesOrLosses() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("killed.sqlite")
        let process = try Attnlab.start(Self.slowSweep + ["--db", db])
        let deadline = Date().addingTimeInterval(60)
        var stored = 0
        while stored == 0 && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.01)
            stored = Attnlab.measurementCount(db)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let store = try ResultsStore.open(path: db)
        let beforeResume = try store.measurements()
        try #require(!beforeResume.isEmpty, "the sweep stored no point before it was killed")
        #expect(beforeResume.count < 6, "the sweep finished before it could be killed; make its points slower")
        #expect(try store.runs().map(\.status) == [.running])

        let resumed = try Attnlab.run(Self.slowSweep + ["--db", db])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(resumed.standardOutput.utf8))
        #expect(summary.resumedPoints == beforeResume.count)
        #expect(summary.measuredPoints == 6 - beforeResume.count)
        #expect(summary.storedPoints == 6 && summary.totalPoints == 6)

        let after = try store.measurements()
        #expect(after.count == 6)
        #expect(Set(after.map(\.pointKey)).count == 6)
        let afterByKey = Dictionary(uniqueKeysWithValues: after.map { ($0.pointKey, $0) })
        for row in beforeResume {
            #expect(afterByKey[row.pointKey] == row, "row of \(row.pointKey) changed on resume")
        }
        #expect(try store.runs().map(\.status) == [.running, .finished])
    }

    @Test func mergedShardProcessesEqualOneUnshardedRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (whole, first, second, merged) = (directory.path("whole.sqlite"), directory.path("shard0.sqlite"),
                                              directory.path("shard1.sqlite"), directory.path("merged.sqlite"))
        // Shard 1 comes from a Slurm job array's environment rather than --shard.
        let runs = try [
            Attnlab.start(Self.quickSweep + ["--db", whole]),
            Attnlab.start(Self.quickSweep + ["--db", first, "--shard", "0/2"]),
            Attnlab.start(Self.quickSweep + ["--db", second],
                          environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"]),
        ]
        for process in runs {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let merge = try Attnlab.run(["results", "merge", "--db", merged, first, second])
        #expect(merge.status == 0, "\(merge.standardError)")

        func rows(_ path: String) throws -> Set<String> {
            Set(try ResultsStore.open(path: path).measurements().map { "\($0.experiment)|\($0.configHash)|\($0.pointKey)" })
        }
        let shardRows = try (rows(first), rows(second))
        #expect(shardRows.0.count == 6 && shardRows.1.count == 6 && shardRows.0.isDisjoint(with: shardRows.1))
        #expect(try rows(merged) == rows(whole))
        #expect(try rows(whole).count == 12)
        #expect(try ResultsStore.open(path: merged).runs().compactMap(\.shard).sorted() == ["0/2", "1/2"])

        let report = try Attnlab.run(["report", "--db", merged, "--output", directory.path("report")])
        #expect(report.status == 0, "\(report.standardError)")
        let html = try String(contentsOfFile: directory.path("report/index.html"), encoding: .utf8)
        #expect(html.contains("Scaling of exact attention") && html.contains("<svg"))
        let csv = try Attnlab.run(["results", "export", "--db", merged, "--format", "csv"])
        #expect(csv.status == 0 && csv.standardOutput.split(separator: "\n").count == 13)
    }

    @Test(arguments: [
        (["experiment", "scaling", "--shard", "2/2"], "shard index must satisfy 0 ≤ i < n, got 2/2"),
        (["experiment", "scaling", "--shard", "one/two"], "shard must look like i/n"),
        (["experiment", "scaling", "--lengths", "512,0"], "sequence lengths (N) must be positive, got 0"),
        (["experiment", "direct-sum", "--length=-4"], "sequence length (N) must be positive, got -4"),
        (["experiment", "scaling", "--head-dim", "512"], "at most 256"),
        (["experiment", "fastest"], "unknown experiment 'fastest'; choose one of scaling, direct-sum"),
        (["results", "export", "--db", "/nonexistent/results.sqlite", "--format", "json"], "does not exist"),
    ])
    func badOptionsFailWithAClearMessage(arguments: [String], message: String) throws {
        let result = try Attnlab.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }
}

/// The fields of `attnlab experiment --json` the tests read.
private struct RunSummary: Decodable {
    let measuredPoints: Int
    let resumedPoints: Int
    let storedPoints: Int
    let totalPoints: Int

    enum CodingKeys: String, CodingKey {
        case measuredPoints = "measured_points", resumedPoints = "resumed_points"
        case storedPoints = "stored_points", totalPoints = "total_points"
    }
}
