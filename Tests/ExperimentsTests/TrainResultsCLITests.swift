import Foundation
import Testing

@testable import Experiments

/// `attnlab train --results`: the run and its learning curve go into a results file, which the report
/// draws; a file that is not a results file is refused and left as it was.
@Suite("train --results")
struct TrainResultsCLITests {
    private let tinyRun = ["train", "--task", "mqar", "--length", "12", "--pairs", "2", "--vocab", "16", "--width", "8",
                           "--train-samples", "64", "--validation-samples", "8", "--steps", "6", "--batch", "4"]

    @Test func storesTheCurveAndTheReportDrawsIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = directory.path("r.sqlite")
        let result = try Attnlab.run(tinyRun + ["--mixer", "gla", "--results", database, "--curve-points", "3"])
        #expect(result.status == 0, "\(result.standardError)")
        let store = try ResultsStore.openForReading(path: database)
        let runs = try store.runs(experiment: "train")
        #expect(runs.count == 1 && runs[0].status == .finished)
        #expect(try store.curves().map(\.point.step) == [2, 4, 6])
        let report = try Attnlab.run(["report", "--db", database, "--output", directory.path("report")])
        #expect(report.status == 0, "\(report.standardError)")
        let markdown = try String(contentsOfFile: directory.path("report/report.md"), encoding: .utf8)
        #expect(markdown.contains("Learning curves: run 1 (train)"))
    }

    @Test func refusesAFileThatIsNotAResultsFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.txt")
        try Data("not a database, and long enough to be read\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try Attnlab.run(tinyRun + ["--results", path])
        #expect(result.status != 0 && !result.signalled)
        #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a database, and long enough to be read\n")
    }
}
