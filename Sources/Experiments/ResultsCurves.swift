import Foundation
internal import GRDB
import Training

/// One stored learning-curve point: of run `runID`, under `label` (a sweep point's key, or `train`).
public struct CurveRecord: Sendable, Equatable {
    public let runID: Int64
    public let label: String
    public let point: CurvePoint
}

extension ResultsStore {
    /// Stores the learning curve of one training run (or one sweep point of an experiment run) in one
    /// transaction. Points already stored for the same run, label and step are kept.
    public func recordCurve(run: RunRecord, label: String, points: [CurvePoint]) throws(ResultsStoreError) {
        try access {
            try queue.write { db in
                for point in points { try Self.insertCurvePoint(db, runID: run.id, label: label, point: point) }
            }
        }
    }

    /// Curve points ordered by run, label and step; all, or those of one run.
    public func curves(runID: Int64? = nil) throws(ResultsStoreError) -> [CurveRecord] {
        try access {
            try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM curve WHERE ?1 IS NULL OR run_id = ?1 ORDER BY run_id, label, step",
                    arguments: [runID]
                ).map { row in
                    CurveRecord(runID: row["run_id"], label: row["label"], point: CurvePoint(
                        step: row["step"], trainLoss: row["train_loss"], validationLoss: row["validation_loss"],
                        validationMetric: row["validation_metric"]))
                }
            }
        }
    }

    /// Inserts one point unless (run, label, step) is present; true if inserted.
    @discardableResult
    static func insertCurvePoint(_ db: Database, runID: Int64, label: String, point: CurvePoint) throws -> Bool {
        try db.execute(
            sql: """
                INSERT INTO curve (run_id, label, step, train_loss, validation_loss, validation_metric)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, label, step) DO NOTHING
                """,
            arguments: [runID, label, point.step, point.trainLoss, point.validationLoss, point.validationMetric])
        return db.changesCount == 1
    }
}
