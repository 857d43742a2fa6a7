import Foundation

/// Steps the experiments' analyses share: exponent claims from fits, timing intervals, plot points and
/// table cells. All O(points).
enum SweepAnalysis {
    /// A claim about the exponent of `values ≈ c · sizes^k`, judged on the fit's 95% interval; when no fit
    /// can be made (fewer than 3 points measured, e.g. one shard's share) an inconclusive claim saying why.
    static func exponentClaim(_ claim: String, prediction: Prediction, sizes: [Double], values: [Double],
                              note: String = "") -> (claim: ClaimResult, fit: PowerLawFit?) {
        do {
            let fit = try PowerLawFit(sizes: sizes, values: values)
            let detail = "\(fit.pointCount) points, R² \(NumberText.short(fit.rSquared, digits: 4))"
            return (ClaimResult(claim: claim, prediction: prediction, fit: fit, note: joined(detail, note)), fit)
        } catch {
            return (inconclusive(claim, prediction, note: joined("no fit: \(error)", note)), nil)
        }
    }

    /// A claim nothing could be measured for yet; `note` says what is missing.
    static func inconclusive(_ claim: String, _ prediction: Prediction, note: String) -> ClaimResult {
        ClaimResult(claim: claim, predicted: prediction.summary, measured: .nan, low: .nan, high: .nan,
                    verdict: .inconclusive, note: note)
    }

    /// 95% confidence interval of one point's time: median ± t·s/√n over its timed calls (Student t with
    /// n − 1 degrees of freedom); a single call gives the point itself. The low end stays positive.
    static func interval(_ values: MeasurementValues) -> ClosedRange<Double> {
        let n = values.seconds.count
        guard n > 1 else { return values.median...values.median }
        let t = StudentT.quantile(0.975, degreesOfFreedom: Double(n - 1))
        let half = t * Statistics.standardDeviation(values.seconds) / Double(n).squareRoot()
        let low = values.median - half > 0 ? values.median - half : values.minimum
        return min(low, values.median)...(values.median + half)
    }

    /// A plot point at `x` for a time, with its interval as error bar, all divided by `divisor`
    /// (e.g. the number of heads for a time per head).
    static func plotPoint(x: Double, _ values: MeasurementValues, divisor: Double = 1) -> PlotPoint {
        let range = interval(values)
        return PlotPoint(x: x, y: values.median / divisor, yLow: range.lowerBound / divisor,
                         yHigh: range.upperBound / divisor)
    }

    /// Table cells for a time in milliseconds with its spread: median, minimum, CV (flagged when noisy).
    static func timingCells(_ values: MeasurementValues, divisor: Double = 1) -> [String] {
        [NumberText.short(values.median / divisor * 1e3, digits: 4),
         NumberText.short(values.minimum / divisor * 1e3, digits: 4),
         NumberText.short(values.coefficientOfVariation * 100, digits: 2) + "%" + (values.isNoisy ? " (noisy)" : "")]
    }

    /// Table cells for the achieved rate: GFLOP/s and percent of the measured peak ("" when unknown).
    static func rateCells(_ values: MeasurementValues) -> [String] {
        [values.gflops.map { NumberText.short($0, digits: 4) } ?? "",
         values.fractionOfPeak.map { NumberText.short($0 * 100, digits: 3) + "%" } ?? ""]
    }

    /// "k of n points noisy (CV above the threshold)" when any is, else "".
    static func noisyNote(_ values: [MeasurementValues]) -> String {
        let noisy = values.filter(\.isNoisy).count
        return noisy == 0 ? "" : "\(noisy) of \(values.count) points noisy"
    }

    /// Non-empty parts joined by "; ".
    static func joined(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}
