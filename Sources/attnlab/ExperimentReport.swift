import Experiments
import Foundation

/// What `attnlab experiment` prints: the run, its claims and the data table, as text or JSON.
struct ExperimentReport: Encodable {
    struct Claim: Encodable {
        let claim: String
        let predicted: String
        /// nil when nothing could be measured (no fit).
        let measured: Double?
        let low: Double?
        let high: Double?
        let verdict: String
        let note: String

        init(_ result: ClaimResult) {
            func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
            claim = result.claim
            predicted = result.predicted
            measured = finite(result.measured)
            low = finite(result.low)
            high = finite(result.high)
            verdict = result.verdict.rawValue
            note = result.note
        }
    }

    let experiment: String
    let database: String
    let shard: String
    let runID: Int64
    let configHash: String
    let peakGFLOPS: Double?
    let measuredPoints: Int
    let resumedPoints: Int
    let storedPoints: Int
    let totalPoints: Int
    let claims: [Claim]
    let table: ReportTable
    /// The analysis's extra lists, each encoded as its own top-level key.
    let lists: [String: [[String: DataValue]]]

    enum CodingKeys: String, CodingKey {
        case experiment, database, shard, claims, table
        case runID = "run_id", configHash = "config_hash", peakGFLOPS = "peak_gflops"
        case measuredPoints = "measured_points", resumedPoints = "resumed_points"
        case storedPoints = "stored_points", totalPoints = "total_points"
    }

    init(experiment: String, database: String, shard: Shard, peakGFLOPS: Double?, outcome: SweepOutcome) {
        self.experiment = experiment
        self.database = database
        self.shard = shard.description
        runID = outcome.run.id
        configHash = outcome.run.configHash
        self.peakGFLOPS = peakGFLOPS
        measuredPoints = outcome.measuredPoints
        resumedPoints = outcome.resumedPoints
        storedPoints = outcome.storedPoints
        totalPoints = outcome.totalPoints
        claims = outcome.analysis.claims.map(Claim.init)
        table = outcome.analysis.table
        lists = outcome.analysis.lists
    }

    /// The fields of `CodingKeys`, then each list of `lists` under its own key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(experiment, forKey: .experiment)
        try container.encode(database, forKey: .database)
        try container.encode(shard, forKey: .shard)
        try container.encode(runID, forKey: .runID)
        try container.encode(configHash, forKey: .configHash)
        try container.encodeIfPresent(peakGFLOPS, forKey: .peakGFLOPS)
        try container.encode(measuredPoints, forKey: .measuredPoints)
        try container.encode(resumedPoints, forKey: .resumedPoints)
        try container.encode(storedPoints, forKey: .storedPoints)
        try container.encode(totalPoints, forKey: .totalPoints)
        try container.encode(claims, forKey: .claims)
        try container.encode(table, forKey: .table)
        var extra = encoder.container(keyedBy: ListKey.self)
        for (key, list) in lists.sorted(by: { $0.key < $1.key }) { try extra.encode(list, forKey: ListKey(key)) }
    }

    /// A key of `lists`.
    struct ListKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Header, one block per claim, then (if asked) the data table with aligned columns.
    func text(withTable: Bool) -> String {
        var lines = [
            "\(experiment): measured \(measuredPoints) points, \(resumedPoints) resumed (shard \(shard)); "
                + "\(storedPoints) of \(totalPoints) points stored in '\(database)' (run \(runID), config \(configHash))",
        ]
        if let peakGFLOPS { lines.append("machine peak: \(format(peakGFLOPS, digits: 1)) GFLOP/s") }
        if storedPoints < totalPoints {
            lines.append("note: \(totalPoints - storedPoints) points are measured by other shards; merge their files and run `attnlab report` for the whole sweep")
        }
        for claim in claims {
            let measured = claim.measured.map { String(format: "%.4g", $0) } ?? "n/a"
            let interval = claim.low.flatMap { low in claim.high.map { String(format: "[%.4g, %.4g]", low, $0) } } ?? "n/a"
            lines += ["", "[\(claim.verdict)] \(claim.claim)",
                      "    predicted \(claim.predicted), measured \(measured), 95% interval \(interval)"]
            if !claim.note.isEmpty { lines.append("    \(claim.note)") }
        }
        if withTable { lines += [""] + Self.aligned(table) }
        return lines.joined(separator: "\n")
    }

    /// The table's rows with each column padded to its widest cell.
    private static func aligned(_ table: ReportTable) -> [String] {
        let rows = [table.headers] + table.rows
        let widths = table.headers.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
