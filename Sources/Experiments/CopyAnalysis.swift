import Foundation

/// Claims, table, per-length list and plots of the `copy` experiment from whichever points are stored.
/// A cell is one (mixer, reference width); it keeps the learning rate with the best overall accuracy.
struct CopyAnalysis {
    let configuration: CopyConfiguration
    let results: [ExperimentResult<CopyPoint, CopyValues>]

    /// The accuracy needed to count a length as copied.
    static let copied = 0.9
    /// Bits of information in one letter of the 26-letter alphabet.
    static let bitsPerLetter = log2(26.0)

    struct Key: Hashable {
        let mixer: String
        let referenceWidth: Int
    }

    /// The best learning rate's result of one (mixer, reference width).
    struct Cell {
        let best: ExperimentResult<CopyPoint, CopyValues>
        let rates: Int
        var values: CopyValues { best.values }
        /// Sequence accuracy at the longest string length validated.
        var longestAccuracy: Double { values.lengths.last?.sequenceAccuracy ?? 0 }
        /// The longest L validated whose strings are copied with accuracy ≥ `copied` (0 if none).
        var longestCopied: Int {
            values.lengths.last { $0.sequenceAccuracy >= CopyAnalysis.copied }?.countedTargets ?? 0
        }
        /// How many letters the recurrent state could hold at 32 bits per float.
        var stateLetters: Double { Double(values.stateBytes * 8) / CopyAnalysis.bitsPerLetter }
    }

    private var cells: [Key: Cell] {
        Dictionary(grouping: results) { Key(mixer: $0.point.mixer, referenceWidth: $0.point.referenceWidth) }
            .mapValues { group in Cell(best: group.max { $0.values.accuracy < $1.values.accuracy }!, rates: group.count) }
    }

    private var mixerNames: [String] { configuration.mixers.map(\.description) }
    private let exactName = "exact"

    func analysis() -> ExperimentAnalysis {
        let cells = cells
        let rows = configuration.widths.flatMap { reference in
            mixerNames.compactMap { mixer in
                cells[Key(mixer: mixer, referenceWidth: reference)].map { cell in
                    let v = cell.values
                    return [mixer, String(reference), String(cell.best.point.width), String(v.parameters),
                            String(v.stateBytes), NumberText.short(cell.stateLetters, digits: 3),
                            NumberText.short(Double(cell.best.point.learningRate)), String(cell.rates),
                            NumberText.short(v.accuracy, digits: 3), NumberText.short(cell.longestAccuracy, digits: 3),
                            String(cell.longestCopied), NumberText.short(v.stepsPerSecond, digits: 3),
                            NumberText.short(v.seconds, digits: 3)]
                }
            }
        }
        let table = ReportTable(
            headers: ["mixer", "exact width", "width", "parameters", "state bytes", "state letters", "best lr", "lrs",
                      "accuracy", "accuracy at L max", "longest L copied", "steps/s", "seconds"],
            rows: rows)
        let claims = [attentionClaim(cells)] + gapClaims(cells) + capacityClaims(cells)
        return ExperimentAnalysis(summary: summary, claims: claims, table: table, plots: lengthPlots(cells),
                                  lists: ["lengths": lengthRecords(cells)])
    }

    /// Exact attention's lowest accuracy at the longest length over the reference widths measured.
    private func attentionClaim(_ cells: [Key: Cell]) -> ClaimResult {
        let claim = "exact attention copies the longest strings (sequence accuracy ≥ \(Self.copied) at L = \(configuration.maxLength))"
        let exact = cells.filter { $0.key.mixer == exactName }.values.map(\.longestAccuracy)
        guard let worst = exact.min() else {
            return SweepAnalysis.inconclusive(claim, .atLeast(Self.copied), note: "needs exact attention measured")
        }
        return ClaimResult(claim: claim, prediction: .atLeast(Self.copied), measured: worst, interval: worst...worst,
                           note: "lowest of \(exact.count) of \(configuration.widths.count) width(s), best learning rate each")
    }

    /// Per recurrent mixer: its accuracy at the longest length minus attention's at equal parameters (the
    /// largest over the reference widths; the claim is that it is below −0.1).
    private func gapClaims(_ cells: [Key: Cell]) -> [ClaimResult] {
        mixerNames.filter { $0 != exactName }.map { mixer in
            let claim = "\(mixer) copies the longest strings less well than attention at equal parameters (accuracy difference at L = \(configuration.maxLength))"
            let gaps = configuration.widths.compactMap { reference -> Double? in
                guard let own = cells[Key(mixer: mixer, referenceWidth: reference)],
                      let exact = cells[Key(mixer: exactName, referenceWidth: reference)] else { return nil }
                return own.longestAccuracy - exact.longestAccuracy
            }
            guard let largest = gaps.max() else {
                return SweepAnalysis.inconclusive(claim, .atMost(-0.1), note: "needs \(mixer) and exact measured at one width")
            }
            return ClaimResult(claim: claim, prediction: .atMost(-0.1), measured: largest, interval: largest...largest,
                               note: "largest difference over \(gaps.count) width(s)")
        }
    }

    /// Per recurrent mixer: the bits of the longest string attention copies, log2(26)·L, over the bits of
    /// the mixer's state at equal parameters (the smallest ratio over the reference widths; the claim is ≥ 1).
    private func capacityClaims(_ cells: [Key: Cell]) -> [ClaimResult] {
        mixerNames.filter { $0 != exactName }.map { mixer in
            let claim = "the strings attention copies exceed \(mixer)'s state (log2(26)·L bits / state bits)"
            let ratios = configuration.widths.compactMap { reference -> (ratio: Double, letters: Double)? in
                guard let own = cells[Key(mixer: mixer, referenceWidth: reference)],
                      let exact = cells[Key(mixer: exactName, referenceWidth: reference)], exact.longestCopied > 0 else { return nil }
                return (Double(exact.longestCopied) / own.stateLetters, own.stateLetters)
            }
            guard let smallest = ratios.min(by: { $0.ratio < $1.ratio }) else {
                return SweepAnalysis.inconclusive(claim, .atLeast(1), note: "needs \(mixer) measured and exact attention copying some length")
            }
            return ClaimResult(claim: claim, prediction: .atLeast(1), measured: smallest.ratio,
                               interval: smallest.ratio...smallest.ratio,
                               note: "\(mixer)'s state holds \(NumberText.short(smallest.letters, digits: 3)) letters at 32 bits a float; smallest of \(ratios.count) width(s)")
        }
    }

    /// Per reference width: sequence accuracy against L, one series per mixer (best learning rate).
    private func lengthPlots(_ cells: [Key: Cell]) -> [LogLogPlot] {
        configuration.widths.map { reference in
            let series = mixerNames.compactMap { mixer in
                cells[Key(mixer: mixer, referenceWidth: reference)].map { cell in
                    PlotSeries(name: "\(mixer) (width \(cell.best.point.width), \(cell.values.parameters) parameters)",
                               points: cell.values.lengths.map {
                                   PlotPoint(x: Double($0.countedTargets), y: $0.sequenceAccuracy)
                               })
                }
            }
            return LogLogPlot(title: "Copying at equal parameters (exact attention width \(reference)): accuracy vs string length",
                              xLabel: "string length L (letters)", yLabel: "sequence accuracy", series: series,
                              xScale: .linear, yScale: .linear)
        }
    }

    /// One record per (mixer, reference width, L) for `--json`.
    private func lengthRecords(_ cells: [Key: Cell]) -> [[String: DataValue]] {
        configuration.widths.flatMap { reference in
            mixerNames.flatMap { mixer -> [[String: DataValue]] in
                guard let cell = cells[Key(mixer: mixer, referenceWidth: reference)] else { return [] }
                return cell.values.lengths.map { bucket in
                    ["mixer": .text(mixer), "reference_width": .number(Double(reference)),
                     "width": .number(Double(cell.best.point.width)), "length": .number(Double(bucket.countedTargets)),
                     "examples": .number(Double(bucket.examples)), "accuracy": .number(bucket.sequenceAccuracy),
                     "token_accuracy": .number(bucket.tokenAccuracy), "state_bytes": .number(Double(cell.values.stateBytes))]
                }
            }
        }
    }

    private var summary: String {
        let c = configuration
        return """
            Copying `$ s | s .` (Jelassi et al.; s of L letters from 26, L uniform in \(c.minLength)…\(c.maxLength), \
            \(c.trainSamples) training / \(c.validationSamples) validation strings, loss on the copied half) learnt by \
            \(c.layers)-layer causal pre-norm models with learned positions, \(c.heads) heads and MLPs of 4·width, mixers \
            \(mixerNames.joined(separator: ", ")), each at the width whose parameter count is closest to the exact-attention \
            model of width \(c.widths.map(String.init).joined(separator: ", ")); AdamW (weight decay 0.1) with warm-up \
            and cosine decay, \(c.steps) steps of batch \(c.batchSize), best of learning rates \
            \(c.learningRates.map { NumberText.short(Double($0)) }.joined(separator: ", ")), \(c.settings.threads) \
            thread(s). Accuracy: fraction of strings copied without a wrong letter (teacher-forced arg-max), per L. \
            State bytes: what one sequence carries from token to token in all layers (the KV cache for attention); \
            state letters: state bits / log2(26).
            """
    }
}
