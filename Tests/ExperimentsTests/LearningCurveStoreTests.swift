import Foundation
import Testing
import Training

@testable import Experiments

/// Learning curves in the results file: stored per run and label, migrated into older files, merged with
/// their runs, and drawn by the report.
@Suite("Learning curves")
struct LearningCurveStoreTests {
    private let points = [
        CurvePoint(step: 10, trainLoss: 2.5, validationLoss: 2.25, validationMetric: 0.25),
        CurvePoint(step: 20, trainLoss: 1.5, validationLoss: 1.75, validationMetric: 0.5),
    ]

    private func trainingRun(_ store: ResultsStore) throws -> RunRecord {
        try store.beginRun(experiment: "train", config: ["steps": 20], machine: testMachine,
                           commandLine: "attnlab train --task mqar --results r.sqlite", gitCommit: nil)
    }

    @Test func storesAndReadsCurvesOncePerStep() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let run = try trainingRun(store)
        try store.recordCurve(run: run, label: "train", points: points)
        try store.recordCurve(run: run, label: "train", points: points)
        let stored = try store.curves(runID: run.id)
        #expect(stored.map(\.point) == points)
        #expect(stored.allSatisfy { $0.label == "train" && $0.runID == run.id })
    }

    @Test func olderFilesGainTheCurveTable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("old.sqlite")
        try writeVersion1File(path: path, sql: "SELECT 1")
        let store = try ResultsStore.open(path: path)
        try store.recordCurve(run: try trainingRun(store), label: "train", points: points)
        #expect(try store.curves().count == 2)
    }

    @Test func mergeCopiesCurvesWithTheirRuns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try ResultsStore.open(path: directory.path("a.sqlite"))
        try source.recordCurve(run: try trainingRun(source), label: "train", points: points)
        let target = try ResultsStore.open(path: directory.path("b.sqlite"))
        _ = try runSweep(target)
        _ = try target.merge(from: directory.path("a.sqlite"))
        _ = try target.merge(from: directory.path("a.sqlite"))
        let merged = try target.curves()
        #expect(merged.map(\.point) == points)
        let run = try target.runs(experiment: "train")
        #expect(run.count == 1 && merged.allSatisfy { $0.runID == run[0].id })
    }

    @Test func reportDrawsOneSectionPerRunWithCurves() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try ResultsStore.open(path: directory.path("r.sqlite"))
        let run = try trainingRun(store)
        try store.recordCurve(run: run, label: "train", points: points)
        let sections = try ExperimentCatalog.reportSections(from: store).filter { $0.title.hasPrefix("Learning curves") }
        #expect(sections.count == 1)
        let section = try #require(sections.first)
        #expect(section.title == "Learning curves: run \(run.id) (train)")
        #expect(section.plots.count == 2)
        #expect(section.plots[0].series.map(\.name) == ["train", "validation"])
        #expect(section.plots[1].series[0].points.map(\.y) == [0.25, 0.5])
        #expect(section.table?.rows == [["train", "20", "1.5", "1.75", "0.5"]])
    }
}
