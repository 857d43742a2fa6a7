import Foundation

/// Claims, table and plots of the `recall` experiment from whichever points are stored. A cell is one
/// (mixer, N, kv, width); its accuracy is the best over the learning rates measured.
struct RecallAnalysis {
    let configuration: RecallConfiguration
    let results: [ExperimentResult<RecallPoint, RecallValues>]

    /// The best learning rate's result of one (mixer, N, kv, width).
    struct Cell {
        let best: ExperimentResult<RecallPoint, RecallValues>
        let rates: Int
        var accuracy: Double { best.values.accuracy }
    }

    struct Key: Hashable {
        let mixer: String
        let length: Int
        let pairs: Int
        let width: Int
    }

    private var cells: [Key: Cell] {
        let grouped = Dictionary(grouping: results) {
            Key(mixer: $0.point.mixer, length: $0.point.length, pairs: $0.point.pairs, width: $0.point.width)
        }
        return grouped.mapValues { group in
            Cell(best: group.max { $0.values.accuracy < $1.values.accuracy }!, rates: group.count)
        }
    }

    private var mixerNames: [String] { configuration.mixers.map(\.description) }
    private var exactName: String { "exact" }

    func analysis() -> ExperimentAnalysis {
        let cells = cells
        let c = configuration
        let rows = c.shapes.flatMap { shape in
            c.widths.flatMap { width in
                mixerNames.compactMap { mixer in
                    cells[Key(mixer: mixer, length: shape.length, pairs: shape.pairs, width: width)].map { cell in
                        let v = cell.best.values
                        return [mixer, String(shape.length), String(shape.pairs), String(width),
                                NumberText.short(v.accuracy, digits: 3), NumberText.short(Double(cell.best.point.learningRate)),
                                String(cell.rates), String(v.stateBytes), String(v.parameters),
                                NumberText.short(v.stepsPerSecond, digits: 3), NumberText.short(v.seconds, digits: 3)]
                    }
                }
            }
        }
        let table = ReportTable(
            headers: ["mixer", "N", "kv", "width", "accuracy", "best lr", "lrs", "state bytes", "parameters", "steps/s",
                      "seconds"],
            rows: rows)
        return ExperimentAnalysis(summary: summary, claims: [attentionClaim(cells)] + gapClaims(cells),
                                  table: table, plots: statePlots(cells) + [widthPlot(cells)])
    }

    /// Exact attention's worst best-lr accuracy over every (N, kv, width) measured.
    private func attentionClaim(_ cells: [Key: Cell]) -> ClaimResult {
        let claim = "exact attention reaches accuracy ≥ 0.99 at every (N, kv, width)"
        let exact = cells.filter { $0.key.mixer == exactName }.values.map(\.accuracy)
        let expected = configuration.shapes.count * configuration.widths.count
        guard let worst = exact.min() else {
            return SweepAnalysis.inconclusive(claim, .atLeast(0.99), note: "needs exact attention measured")
        }
        return ClaimResult(claim: claim, prediction: .atLeast(0.99), measured: worst, interval: worst...worst,
                           note: "lowest of \(exact.count) of \(expected) cells, best learning rate each")
    }

    /// Per sub-quadratic mixer: at the smallest width and every N ≥ 128, its accuracy minus attention's
    /// (the largest such difference; the claim is that it is negative).
    private func gapClaims(_ cells: [Key: Cell]) -> [ClaimResult] {
        guard let width = configuration.widths.min() else { return [] }
        let long = configuration.shapes.filter { $0.length >= 128 }
        return mixerNames.filter { $0 != exactName }.map { mixer in
            let claim = "\(mixer) recalls less than attention at width \(width) for N ≥ 128 (accuracy difference < 0)"
            let gaps = long.compactMap { shape -> Double? in
                let key = { (m: String) in Key(mixer: m, length: shape.length, pairs: shape.pairs, width: width) }
                guard let own = cells[key(mixer)], let exact = cells[key(exactName)] else { return nil }
                return own.accuracy - exact.accuracy
            }
            guard let largest = gaps.max() else {
                return SweepAnalysis.inconclusive(claim, .atMost(-0.01),
                                                  note: "needs \(mixer) and exact measured at width \(width), N ≥ 128")
            }
            return ClaimResult(claim: claim, prediction: .atMost(-0.01), measured: largest, interval: largest...largest,
                               note: "largest difference over \(gaps.count) shape(s) with N ≥ 128")
        }
    }

    /// Per (N, kv): accuracy against the state bytes, one series per mixer over the widths.
    private func statePlots(_ cells: [Key: Cell]) -> [LogLogPlot] {
        configuration.shapes.map { shape in
            let series = mixerNames.map { mixer in
                PlotSeries(name: mixer, points: configuration.widths.compactMap { width in
                    cells[Key(mixer: mixer, length: shape.length, pairs: shape.pairs, width: width)].map {
                        PlotPoint(x: Double($0.best.values.stateBytes), y: $0.accuracy)
                    }
                })
            }
            return LogLogPlot(title: "MQAR N = \(shape.length), kv = \(shape.pairs): accuracy vs recurrent state",
                              xLabel: "state bytes per sequence (all layers)", yLabel: "validation accuracy", series: series,
                              yScale: .linear)
        }
    }

    /// Accuracy against width, one series per (mixer, N).
    private func widthPlot(_ cells: [Key: Cell]) -> LogLogPlot {
        let series = configuration.shapes.flatMap { shape in
            mixerNames.map { mixer in
                PlotSeries(name: "\(mixer) N = \(shape.length)", points: configuration.widths.compactMap { width in
                    cells[Key(mixer: mixer, length: shape.length, pairs: shape.pairs, width: width)].map {
                        PlotPoint(x: Double(width), y: $0.accuracy)
                    }
                })
            }
        }
        return LogLogPlot(title: "MQAR accuracy vs model width", xLabel: "width", yLabel: "validation accuracy",
                          series: series, yScale: .linear)
    }

    private var summary: String {
        let c = configuration
        return """
            MQAR (vocabulary \(c.vocabulary), \(c.trainSamples) training / \(c.validationSamples) validation \
            examples; (N, kv) = \(c.shapes.map { "(\($0.length), \($0.pairs))" }.joined(separator: ", "))) learnt by \
            \(c.layers)-layer models with one head as wide as the model (widths \
            \(c.widths.map(String.init).joined(separator: ", "))), no MLPs, pre-norm, learned positions, mixers \
            \(mixerNames.joined(separator: ", ")); AdamW (weight decay 0.1) with warm-up and cosine decay, \
            \(c.shapes.map { "\(c.steps(length: $0.length, pairs: $0.pairs)) steps at N = \($0.length)" }.joined(separator: ", ")) \
            of batch \(c.batchSize), best of learning rates \
            \(c.learningRates.map { NumberText.short(Double($0)) }.joined(separator: ", ")), \(c.settings.threads) \
            thread(s). Accuracy: fraction of queries whose value is predicted. State bytes: what one sequence \
            carries from token to token in all layers (the KV cache for attention).
            """
    }
}
