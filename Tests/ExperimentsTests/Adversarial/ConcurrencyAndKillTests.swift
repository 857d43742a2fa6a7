import Foundation
import Testing

@testable import Experiments

/// Several writers at once, and writers killed part-way: no failure from the race itself, no partial file.
@Suite("Adversarial: concurrent writers and kills mid-write")
struct ConcurrencyAndKillTests {
    @Test("threads creating and migrating the same new results file all succeed")
    func concurrentCreationInThreads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for trial in 0..<8 {
            let path = directory.path("new\(trial).sqlite")
            // Plain threads, not tasks: SQLite's busy wait must not block Swift's cooperative pool.
            let failures = Failures()
            let group = DispatchGroup()
            for _ in 0..<6 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    do { _ = try ResultsStore.open(path: path).runs() } catch { failures.append("\(error)") }
                }
            }
            group.wait()
            #expect(failures.all.isEmpty, "trial \(trial): \(failures.all)")
            #expect(try ResultsStore.openForReading(path: path).runs().isEmpty)
        }
    }

    @Test("processes merging into the same new results file all succeed, and rows are stored once")
    func concurrentMergeProcesses() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        for trial in 0..<3 {
            let target = fixture.path("merged\(trial).sqlite")
            let processes = try (0..<4).map { _ in try Attnlab.start(["results", "merge", "--db", target, fixture.database]) }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationReason == .exit && process.terminationStatus == 0, "trial \(trial)")
            }
            let merged = try ResultsStore.openForReading(path: target)
            #expect(try merged.measurements().count == testPoints.count && merged.runs().count == 1)
        }
        #expect(try fixture.leftovers().isEmpty)
    }

    @Test("attention killed at random moments leaves the old file or the whole new one, never a partial one")
    func killMidWrite() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let (q, k, v) = try Self.largeInputs(fixture)
        let output = fixture.path("bo.npy"), old = Data("old\n".utf8)
        let fullSize = try Data(contentsOf: URL(fileURLWithPath: q)).count
        var random = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            try old.write(to: URL(fileURLWithPath: output))
            let process = try Attnlab.start(["attention", "--queries", q, "--keys", k, "--values", v, "--output", output, "--force"])
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.4, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let contents = try Data(contentsOf: URL(fileURLWithPath: output))
            #expect(contents == old || contents.count == fullSize, "partial output of \(contents.count) bytes")
        }
    }

    @Test("attention interrupted (SIGINT, SIGTERM) at random moments leaves no temporary and no partial file")
    func interruptCleansUp() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let (q, k, v) = try Self.largeInputs(fixture)
        let output = fixture.path("io.npy"), fullSize = try Data(contentsOf: URL(fileURLWithPath: q)).count
        var random = SystemRandomNumberGenerator()
        for signal in [SIGINT, SIGTERM, SIGINT, SIGTERM, SIGINT, SIGTERM] {
            try? FileManager.default.removeItem(atPath: output)
            let process = try Attnlab.start(["attention", "--queries", q, "--keys", k, "--values", v, "--output", output])
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.4, using: &random))
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let leftovers = try fixture.leftovers()
            #expect(leftovers.isEmpty, "signal \(signal): \(leftovers)")
            let size = (try? Data(contentsOf: URL(fileURLWithPath: output)))?.count
            #expect(size == nil || size == fullSize, "partial output of \(size ?? 0) bytes")
        }
    }

    /// Attention inputs `[1, 4, 1024, 64]`, large enough for a kill to land while the command runs.
    static func largeInputs(_ fixture: CLIFixture) throws -> (String, String, String) {
        let shape = [1, 4, 1024, 64], count = shape.reduce(1, *)
        let (q, k, v) = (fixture.path("bq.npy"), fixture.path("bk.npy"), fixture.path("bv.npy"))
        for (index, path) in [q, k, v].enumerated() {
            try writeNpy(path, shape: shape, values: (0..<count).map { Float(($0 + index) % 13) / 13 })
        }
        return (q, k, v)
    }

    @Test("two attention runs writing the same output at once leave one whole result")
    func concurrentWriters() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let output = fixture.path("same.npy")
        let arguments = WritingCommand.attention.arguments(fixture, output) + ["--force"]
        for _ in 0..<3 {
            try? FileManager.default.removeItem(atPath: output)
            let processes = try (0..<2).map { _ in try Attnlab.start(arguments) }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationReason == .exit && process.terminationStatus == 0)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: output)).count == Data(contentsOf: URL(fileURLWithPath: fixture.queries)).count)
        }
        #expect(try fixture.leftovers().isEmpty)
    }
}

/// Error texts collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var texts: [String] = []

    func append(_ text: String) { lock.withLock { texts.append(text) } }

    var all: [String] { lock.withLock { texts } }
}
