import Foundation

/// Claims, table and plots of the `heads` experiment from whichever points are stored. Seeds of one
/// (h or width, T) are averaged; their spread gives the claims' intervals and the plots' error bars.
struct HeadsAnalysis {
    let configuration: HeadsConfiguration
    let results: [ExperimentResult<HeadsPoint, HeadsValues>]

    /// Mean NMSE of Yu et al.'s Table 2 (SCIENCE.md §6), by h then T.
    static let paperNMSE: [Int: [Int: Double]] = [
        1: [8: 7.0e-2, 16: 1.1e-1, 32: 1.1e-1, 64: 1.1e-1, 128: 1.5e-1],
        2: [8: 7.3e-3, 16: 8.4e-3, 32: 9.4e-3, 64: 1.3e-2, 128: 1.5e-2],
        3: [8: 6.9e-4, 16: 6.4e-4, 32: 9.1e-4, 64: 1.3e-3, 128: 1.6e-3],
        4: [8: 6.1e-5, 16: 4.4e-5, 32: 4.8e-5, 64: 8.8e-6, 128: 5.2e-6],
        5: [8: 3.4e-5, 16: 1.1e-5, 32: 4.9e-6, 64: 4.2e-6, 128: 4.0e-6],
    ]

    /// The largest ratio NMSE(h + 1)/NMSE(h) still counted as "falling": seed-to-seed noise allowance.
    static let monotoneTolerance = 1.25

    /// NMSE over the seeds of one (h or width, T).
    struct Cell {
        let mean: Double
        let low: Double
        let high: Double
        let seeds: Int
        /// The MLPs' hidden width of the cell's points.
        let hidden: Int
        let values: [HeadsValues]

        init(_ values: [HeadsValues], hidden: Int) {
            self.hidden = hidden
            let nmse = values.map(\.nmse)
            mean = nmse.reduce(0, +) / Double(nmse.count)
            low = nmse.min()!
            high = nmse.max()!
            seeds = nmse.count
            self.values = values
        }

        func average(_ value: (HeadsValues) -> Double) -> Double {
            values.map(value).reduce(0, +) / Double(values.count)
        }
    }

    /// The swept size of a point: heads, or width in the width sweep.
    private func size(_ point: HeadsPoint) -> Int { configuration.widths == nil ? point.heads : point.width }

    /// Cells by T then swept size, for the points measured.
    private var cells: [Int: [Int: Cell]] {
        let grouped = Dictionary(grouping: results) { [$0.point.length, size($0.point)] }
        var cells: [Int: [Int: Cell]] = [:]
        for (key, group) in grouped {
            cells[key[0], default: [:]][key[1]] = Cell(group.map(\.values), hidden: group[0].point.hidden)
        }
        return cells
    }

    func analysis() -> ExperimentAnalysis {
        let c = configuration
        let cells = cells
        let claims = c.widths == nil ? headClaims(cells) : widthClaims(cells)
        let sizes = c.widths ?? c.heads
        let rows = c.lengths.flatMap { length in
            sizes.compactMap { size in cells[length]?[size].map { row(length: length, size: size, $0) } }
        }
        let table = ReportTable(
            headers: ["T", c.widths == nil ? "h" : "width", "seeds", "NMSE", c.widths == nil ? "Yu et al." : "MLP hidden",
                      "min–max", "train loss", "steps/s", "seconds"],
            rows: rows)
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: [plot(cells)])
    }

    private func row(length: Int, size: Int, _ cell: Cell) -> [String] {
        let reference = configuration.widths == nil
            ? Self.paperNMSE[size]?[length].map { NumberText.short($0) } ?? "" : String(cell.hidden)
        return [String(length), String(size), String(cell.seeds), NumberText.short(cell.mean, digits: 3), reference,
                "\(NumberText.short(cell.low)) – \(NumberText.short(cell.high))",
                NumberText.short(cell.average(\.trainLoss), digits: 3), NumberText.short(cell.average(\.stepsPerSecond), digits: 3),
                NumberText.short(cell.average(\.seconds), digits: 3)]
    }

    /// Per T: the drop at h = D (ratio ≥ 10) and NMSE falling with h (each ratio ≤ the tolerance).
    private func headClaims(_ cells: [Int: [Int: Cell]]) -> [ClaimResult] {
        let d = configuration.targets
        let drops = configuration.lengths.map { length in
            ratioClaim("T = \(length): NMSE(h = D = \(d)) ≤ NMSE(h = \(d - 1)) / 10 (h ≥ D heads are needed)",
                       .atLeast(10), numerator: cells[length]?[d - 1], denominator: cells[length]?[d],
                       missing: "needs h = \(d - 1) and h = \(d) measured at T = \(length)")
        }
        let falls = configuration.lengths.map { length in monotoneClaim(length: length, cells[length] ?? [:]) }
        return drops + falls
    }

    /// Per T: one head as wide as the largest width (MLPs grown with it) reaches a tenth of the NMSE of the narrowest.
    private func widthClaims(_ cells: [Int: [Int: Cell]]) -> [ClaimResult] {
        let widths = (configuration.widths ?? []).sorted()
        let (narrow, wide) = (widths.first!, widths.last!)
        return configuration.lengths.map { length in
            ratioClaim("T = \(length), h = 1: NMSE at width \(wide) (MLPs \(HeadsConfiguration.widthSweepHidden(wide))) ≤ NMSE at width \(narrow) (MLPs \(HeadsConfiguration.widthSweepHidden(narrow))) / 10 (one head of width O(T) memorises, the MLPs approximate)",
                       .atLeast(10), numerator: cells[length]?[narrow], denominator: cells[length]?[wide],
                       missing: "needs widths \(narrow) and \(wide) measured at T = \(length)")
        }
    }

    /// NMSE(numerator)/NMSE(denominator); the interval runs over the seeds' extremes.
    private func ratioClaim(_ claim: String, _ prediction: Prediction, numerator: Cell?, denominator: Cell?,
                            missing: String) -> ClaimResult {
        guard let numerator, let denominator else {
            return SweepAnalysis.inconclusive(claim, prediction, note: missing)
        }
        let interval = ordered(numerator.low / denominator.high, numerator.high / denominator.low)
        return ClaimResult(claim: claim, prediction: prediction, measured: numerator.mean / denominator.mean,
                           interval: interval, note: "mean over \(min(numerator.seeds, denominator.seeds)) seeds")
    }

    /// The largest NMSE(h + 1)/NMSE(h) over consecutive measured heads at one T.
    private func monotoneClaim(length: Int, _ cells: [Int: Cell]) -> ClaimResult {
        let claim = "T = \(length): NMSE falls with h (no step up by more than the seed noise, ×\(NumberText.short(Self.monotoneTolerance)))"
        let prediction = Prediction.atMost(Self.monotoneTolerance)
        let heads = configuration.heads.sorted().filter { cells[$0] != nil }
        guard heads.count >= 2 else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "needs two numbers of heads measured at T = \(length)")
        }
        let pairs = zip(heads, heads.dropFirst()).map { (cells[$0]!, cells[$1]!) }
        let worst = pairs.map { $1.mean / $0.mean }.max()!
        let interval = ordered(pairs.map { $1.low / $0.high }.max()!, pairs.map { $1.high / $0.low }.max()!)
        return ClaimResult(claim: claim, prediction: prediction, measured: worst, interval: interval,
                           note: "largest ratio of consecutive h among \(heads.map(String.init).joined(separator: ", "))")
    }

    /// The range between two ratios; every ratio (0…∞, so inconclusive) when either is NaN (0/0).
    private func ordered(_ a: Double, _ b: Double) -> ClosedRange<Double> {
        a.isNaN || b.isNaN ? 0...Double.infinity : min(a, b)...max(a, b)
    }

    /// NMSE vs h (linear x) or width (log x) per T on a log y axis, beside Yu et al.'s values.
    private func plot(_ cells: [Int: [Int: Cell]]) -> LogLogPlot {
        let c = configuration
        let sizes = c.widths ?? c.heads
        var series = c.lengths.map { length in
            PlotSeries(name: "T = \(length)", points: sizes.compactMap { size in
                cells[length]?[size].map { PlotPoint(x: Double(size), y: $0.mean, yLow: $0.low, yHigh: $0.high) }
            })
        }
        if c.widths == nil {
            series += c.lengths.compactMap { length in
                let points = c.heads.compactMap { h in Self.paperNMSE[h]?[length].map { PlotPoint(x: Double(h), y: $0) } }
                return points.isEmpty ? nil : PlotSeries(name: "Yu et al. T = \(length)", points: points)
            }
            return LogLogPlot(title: "D-retrieval (D = \(c.targets)): validation NMSE vs heads", xLabel: "heads h",
                              yLabel: "NMSE", series: series, xScale: .linear)
        }
        return LogLogPlot(title: "D-retrieval (D = \(c.targets)), one head: validation NMSE vs width", xLabel: "width",
                          yLabel: "NMSE", series: series)
    }

    private var summary: String {
        let c = configuration
        let swept = c.widths.map { widths in
            "one head of width \(widths.map(String.init).joined(separator: ", ")); ReLU input MLP and GELU output MLP "
                + "of \(widths.map { String(HeadsConfiguration.widthSweepHidden($0)) }.joined(separator: ", ")) hidden units"
        } ?? "h = \(c.heads.map(String.init).joined(separator: ", ")) heads of 8 dimensions; ReLU input MLP and GELU "
            + "output MLP of \(HeadsConfiguration.yuHidden)"
        return """
            Yu et al.'s D-retrieval (D = \(c.targets), x(t) ~ N(0, I₄), \(c.trainSamples) training / \
            \(c.validationSamples) validation examples) learnt by their one-layer model (class token, \(swept); \
            no positions, residual or norm) at T = \
            \(c.lengths.map(String.init).joined(separator: ", ")), \(c.seeds) seed(s) each: AdamW lr \
            \(NumberText.short(Double(c.learningRate))) with warm-up and cosine decay, batch \(c.batchSize), \
            \(c.epochs) epochs, \(c.settings.threads) thread(s). NMSE = validation MSE / Var(y); the paper's \
            values come from much longer training.
            """
    }
}
