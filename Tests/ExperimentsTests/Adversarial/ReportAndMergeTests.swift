import Foundation
import Testing

@testable import Experiments

/// The commands whose outputs are a directory (report) or a results file they add to (merge).
@Suite("Adversarial: report and merge write all or nothing")
struct ReportAndMergeTests {
    @Test("report on a 0-byte or non-results file refuses and leaves it as it was, creating nothing")
    func reportRefusesWhatIsNotAResultsFile() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let empty = fixture.path("empty.sqlite")
        try Data().write(to: URL(fileURLWithPath: empty))
        let result = try Attnlab.run(["report", "--db", empty, "--output", fixture.path("report")])
        #expect(result.isCleanFailure && result.errorLine.contains("empty"), "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: empty)).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.path("report")))
    }

    @Test("a second report needs --force; with it, the previous report's stale plots go")
    func reportReplacesOnlyWithForce() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let output = fixture.path("report")
        #expect(try Attnlab.run(["report", "--db", fixture.database, "--output", output]).status == 0)
        let html = try Data(contentsOf: URL(fileURLWithPath: output + "/index.html"))
        try Data("<svg/>".utf8).write(to: URL(fileURLWithPath: output + "/plot-stale-1.svg"))
        let again = try Attnlab.run(["report", "--db", fixture.database, "--output", output, "--title", "Other"])
        #expect(again.isCleanFailure && again.errorLine.contains("--force"), "\(again.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output + "/index.html")) == html)
        let forced = try Attnlab.run(["report", "--db", fixture.database, "--output", output, "--title", "Other", "--force"])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(try String(contentsOfFile: output + "/index.html", encoding: .utf8).contains("Other"))
        #expect(!FileManager.default.fileExists(atPath: output + "/plot-stale-1.svg"))
        #expect(try fixture.leftovers().isEmpty)
    }

    @Test("report refuses a file as its directory and a report file that is the results file")
    func reportOutputsAreChecked() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let file = try Attnlab.run(["report", "--db", fixture.database, "--output", fixture.queries])
        #expect(file.isCleanFailure && file.errorLine.contains("directory"), "\(file.standardError)")
        let output = fixture.path("report")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)
        try FileManager.default.linkItem(atPath: fixture.database, toPath: output + "/report.md")
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture.database))
        let onto = try Attnlab.run(["report", "--db", fixture.database, "--output", output, "--force"])
        #expect(onto.isCleanFailure && onto.errorLine.contains("input"), "\(onto.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.database)) == before)
    }

    @Test("a merge with one bad source adds nothing, to an existing file or a new one")
    func mergeIsAllOrNothing() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let other = fixture.path("other.sqlite")
        let store = try ResultsStore.open(path: other)
        try runSweep(store, shard: try Shard(index: 0, count: 2), points: [SweepPoint(n: 7, heads: 1)])
        let existing = fixture.path("existing.sqlite")
        try runSweep(try ResultsStore.open(path: existing), points: [SweepPoint(n: 9, heads: 1)])
        let before = try ResultsStore.openForReading(path: existing).measurements()

        let bad = try Attnlab.run(["results", "merge", "--db", existing, other, fixture.queries])
        #expect(bad.isCleanFailure, "\(bad.standardError)")
        #expect(try ResultsStore.openForReading(path: existing).measurements() == before)

        let new = fixture.path("new.sqlite")
        let badNew = try Attnlab.run(["results", "merge", "--db", new, other, fixture.queries])
        #expect(badNew.isCleanFailure, "\(badNew.standardError)")
        #expect(!FileManager.default.fileExists(atPath: new))
        #expect(try fixture.leftovers().isEmpty)
    }

    @Test("a read-only results file gets no rows, from a merge or an experiment")
    func readOnlyResultsFile() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let target = fixture.path("readonly.sqlite")
        try FileManager.default.copyItem(atPath: fixture.database, toPath: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: target)
        let before = try Data(contentsOf: URL(fileURLWithPath: target))
        for arguments in [["results", "merge", "--db", target, fixture.database],
                          ["experiment", "scaling", "--db", target, "--lengths", "16", "--quiet"]] {
            let result = try Attnlab.run(arguments)
            #expect(result.isCleanFailure && result.errorLine.contains("read-only"), "\(arguments): \(result.standardError)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
    }

    @Test("a results file is never merged into itself, whatever the spelling")
    func mergeIntoItself() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        let link = fixture.path("link.sqlite"), hard = fixture.path("hard.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.database)
        try FileManager.default.linkItem(atPath: fixture.database, toPath: hard)
        for source in [link, hard, "./results.sqlite"] {
            let result = try Attnlab.run(["results", "merge", "--db", fixture.database, source], in: fixture.directory.url.path)
            #expect(result.isCleanFailure && result.errorLine.contains("itself"), "\(source): \(result.standardError)")
        }
    }

    @Test("errors from SQLite are one line: a locked or corrupt results file")
    func databaseErrorsAreOneLine() throws {
        let fixture = try CLIFixture()
        defer { fixture.remove() }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.database))
        for offset in stride(from: 120, to: min(bytes.count, 4000), by: 7) { bytes[offset] ^= 0x5A }
        let corrupt = fixture.path("corrupt.sqlite")
        try bytes.write(to: URL(fileURLWithPath: corrupt))
        for arguments in [["results", "export", "--db", corrupt, "--format", "csv"],
                          ["report", "--db", corrupt, "--output", fixture.path("r")]] {
            let result = try Attnlab.run(arguments)
            #expect(result.isCleanFailure, "\(arguments): \(result.standardError)")
        }
    }
}
