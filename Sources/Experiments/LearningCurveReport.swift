import Foundation
import Training

/// The report's learning curves: one section per run that stored curve points, with the loss against the
/// step and the validation metric against the step. A run with one curve (`attnlab train --results`)
/// shows its training and validation loss; a sweep shows one validation series per point, for its first
/// `plottedCurves` points (the table lists every point's last values).
enum LearningCurveReport {
    static let plottedCurves = 12

    static func sections(from store: ResultsStore, runs: [RunRecord]) throws(ResultsStoreError) -> [ReportSection] {
        let curves = try store.curves()
        return runs.compactMap { run in
            let points = curves.filter { $0.runID == run.id }
            guard !points.isEmpty else { return nil }
            return section(run, Dictionary(grouping: points, by: \.label).sorted { $0.key < $1.key })
        }
    }

    private static func section(_ run: RunRecord, _ labelled: [(key: String, value: [CurveRecord])]) -> ReportSection {
        func series(_ name: String, _ records: [CurveRecord], _ value: (CurvePoint) -> Double) -> PlotSeries {
            PlotSeries(name: name, points: records.map { PlotPoint(x: Double($0.point.step), y: value($0.point)) })
        }
        var loss: [PlotSeries] = []
        var metric: [PlotSeries] = []
        for (label, records) in labelled.prefix(plottedCurves) {
            if labelled.count == 1 { loss.append(series("train", records, \.trainLoss)) }
            loss.append(series(labelled.count == 1 ? "validation" : label, records, \.validationLoss))
            metric.append(series(labelled.count == 1 ? "validation" : label, records, \.validationMetric))
        }
        let last = labelled.map { label, records in
            let point = records.last!.point
            return [label, String(point.step), NumberText.short(point.trainLoss, digits: 4),
                    NumberText.short(point.validationLoss, digits: 4), NumberText.short(point.validationMetric, digits: 4)]
        }
        let title = "Learning curves: run \(run.id) (\(run.experiment))"
        return ReportSection(
            title: title,
            summary: "Mean training loss since the previous point and loss and metric on the whole validation set, "
                + "every few steps of each training run (`\(run.commandLine)`)"
                + (labelled.count > plottedCurves ? "; the plots show the first \(plottedCurves) of \(labelled.count) runs." : "."),
            table: ReportTable(headers: ["Curve", "Last step", "Train loss", "Validation loss", "Validation metric"], rows: last),
            plots: [
                LogLogPlot(title: "Loss vs step", xLabel: "step", yLabel: "loss", series: loss, xScale: .linear),
                LogLogPlot(title: "Validation metric vs step", xLabel: "step", yLabel: "metric (accuracy or NMSE)",
                           series: metric, xScale: .linear, yScale: .linear),
            ])
    }
}
