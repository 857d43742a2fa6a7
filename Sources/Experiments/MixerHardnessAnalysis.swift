import Foundation
import Mixers

/// Claims, table, plots and the `accuracy` list of `mixer-hardness` from whichever points are stored.
struct MixerHardnessAnalysis {
    let configuration: MixerHardnessConfiguration
    let results: [ExperimentResult<MixerHardnessPoint, MixerHardnessValues>]

    /// Accuracy counted as "answers": 99%.
    static let target = 0.99
    /// Accuracy at the largest n counted as "near chance" (chance is 0.5 on balanced instances).
    static let nearChance = 0.75

    func analysis() -> ExperimentAnalysis {
        let sorted = results.sorted {
            ($0.point.problem.rawValue, $0.point.mixer.rawValue, $0.point.n, $0.point.budget)
                < ($1.point.problem.rawValue, $1.point.mixer.rawValue, $1.point.n, $1.point.budget)
        }
        let table = ReportTable(
            headers: ["problem", "mixer", "n", "tokens", "budget", "accuracy", "ms per run", "mixer ms per run"],
            rows: sorted.map { r in
                [r.point.problem.rawValue, r.point.mixer.rawValue, String(r.point.n),
                 String(MixerHardnessExperiment.tokenCount(r.point.problem, n: r.point.n)),
                 r.point.budget > 0 ? String(r.point.budget) : "—", NumberText.short(r.values.accuracy),
                 NumberText.short(r.values.seconds * 1e3), NumberText.short(r.values.mixerSeconds * 1e3)]
            })
        let mixers = configuration.mixers.filter { $0 != .exact }
        let claims = [exactClaim] + mixers.map(chanceClaim) + mixers.map(budgetClaim)
        return ExperimentAnalysis(
            summary: summary, claims: claims, table: table, plots: [accuracyPlot, budgetPlot],
            lists: ["accuracy": sorted.map { r in
                ["mixer": .text(r.point.mixer.rawValue), "problem": .text(r.point.problem.rawValue),
                 "n": .number(Double(r.point.n)), "budget": .number(Double(r.point.budget)),
                 "accuracy": .number(r.values.accuracy), "seconds": .number(r.values.seconds),
                 "mixer_seconds": .number(r.values.mixerSeconds)]
            }])
    }

    /// Exact attention answers every instance at every n.
    var exactClaim: ClaimResult {
        let claim = "exact attention answers every planted instance (accuracy 1) at every n and problem"
        let exact = results.filter { $0.point.mixer == .exact }
        guard !exact.isEmpty else { return SweepAnalysis.inconclusive(claim, .atLeast(1), note: "exact not measured") }
        let worst = exact.map(\.values.accuracy).min()!
        return ClaimResult(claim: claim, prediction: .atLeast(1), measured: worst, interval: worst...worst,
                           note: "lowest accuracy over \(exact.count) (problem, n) points")
    }

    /// The budget a kind runs at "sub-quadratically" at `tokens` tokens: the largest budget ≤ √tokens (0 for
    /// kinds without one), nil if none.
    func subquadraticBudget(_ kind: MixerKind, tokens: Int) -> Int? {
        guard kind.hasBudget else { return 0 }
        return configuration.budgets.filter { Double($0) <= Double(tokens).squareRoot() }.max()
    }

    /// Mean accuracy over the problems at (kind, n) with the sub-quadratic budget.
    func subquadraticAccuracy(_ kind: MixerKind, n: Int) -> Double? {
        let values = results.filter { r in
            r.point.mixer == kind && r.point.n == n
                && subquadraticBudget(kind, tokens: MixerHardnessExperiment.tokenCount(r.point.problem, n: n)) == r.point.budget
        }.map(\.values.accuracy)
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// At the largest measured n, a budget ≤ √N leaves the mixer near chance.
    func chanceClaim(_ kind: MixerKind) -> ClaimResult {
        let claim = "\(kind.rawValue) at a budget ≤ √N falls toward chance: mean accuracy over the problems at the largest n ≤ \(NumberText.short(Self.nearChance))"
        let prediction = Prediction.atMost(Self.nearChance)
        let measured = configuration.setSizes.sorted().compactMap { n in subquadraticAccuracy(kind, n: n).map { (n, $0) } }
        guard let last = measured.last else {
            return SweepAnalysis.inconclusive(claim, prediction, note: "no point at a budget ≤ √N measured")
        }
        let trend = measured.map { "n = \($0.0): \(NumberText.short($0.1))" }.joined(separator: ", ")
        return ClaimResult(claim: claim, prediction: prediction, measured: last.1, interval: last.1...last.1, note: trend)
    }

    /// A point's budget, with the quadratic end (budget = N, which differs between problems at one n) as
    /// `Int.max`, so one n's problems meet there.
    func budgetKey(_ point: MixerHardnessPoint) -> Int {
        point.budget == MixerHardnessExperiment.tokenCount(point.problem, n: point.n) ? Int.max : point.budget
    }

    /// "N" for the quadratic end, else the number.
    func budgetText(_ key: Int) -> String { key == Int.max ? "N" : key > 0 ? String(key) : "fixed" }

    /// Per n, the smallest budget (`budgetKey`) at which the kind answers ≥ 99% on every problem, and the
    /// mixer's time summed over the problems there.
    func targetBudgets(_ kind: MixerKind) -> [(n: Int, budget: Int, seconds: Double)] {
        configuration.setSizes.sorted().compactMap { n in
            let here = results.filter { $0.point.mixer == kind && $0.point.n == n }
            let budgets = Set(here.map { budgetKey($0.point) }).sorted()
            for budget in budgets {
                let at = here.filter { budgetKey($0.point) == budget }
                if at.count == configuration.problems.count && at.allSatisfy({ $0.values.accuracy >= Self.target }) {
                    return (n, budget, at.map(\.values.mixerSeconds).reduce(0, +))
                }
            }
            return nil
        }
    }

    /// The mixer's time exponent in n at the budget reaching 99%, fitted over the top three octaves of n
    /// (n ≥ n_max/8), where the N² work has outgrown the per-call costs linear in N; the fit over every n
    /// is given in the note.
    func budgetClaim(_ kind: MixerKind) -> ClaimResult {
        let claim = "\(kind.rawValue): mixer time at the smallest budget reaching \(Int(Self.target * 100))% on every problem grows as n^≥2 (n ≥ n_max/8)"
        let reached = targetBudgets(kind)
        let largest = configuration.setSizes.max() ?? 0
        let tail = reached.filter { 8 * $0.n >= largest }
        let text = reached.map { "n = \($0.n): budget \(budgetText($0.budget))" }.joined(separator: ", ")
        guard tail.count >= 3 else {
            return SweepAnalysis.inconclusive(claim, .atLeast(2), note: reached.isEmpty
                ? "not reached: no budget gets \(Int(Self.target * 100))% at any n"
                : "reached at fewer than 3 n ≥ \(largest / 8) (\(text)); not reached at the others")
        }
        let whole = try? PowerLawFit(sizes: reached.map { Double($0.n) }, values: reached.map(\.seconds))
        let wholeText = whole.map { "over every n: exponent \(NumberText.short($0.exponent, digits: 3))" }
        return SweepAnalysis.exponentClaim(claim, prediction: .atLeast(2), sizes: tail.map { Double($0.n) },
                                           values: tail.map(\.seconds),
                                           note: [text, wholeText].compactMap { $0 }.joined(separator: "; ")).claim
    }

    /// Mean accuracy over the problems vs n per mixer, at the sub-quadratic budget.
    var accuracyPlot: LogLogPlot {
        LogLogPlot(
            title: "Accuracy at a budget ≤ √N (mean over problems) vs n", xLabel: "vectors per set n", yLabel: "accuracy",
            series: configuration.mixers.map { kind in
                PlotSeries(name: kind.rawValue, points: configuration.setSizes.sorted().compactMap { n in
                    subquadraticAccuracy(kind, n: n).map { PlotPoint(x: Double(n), y: $0) }
                })
            },
            yScale: .linear)
    }

    /// The smallest budget reaching 99% vs n per mixer that has a budget.
    var budgetPlot: LogLogPlot {
        LogLogPlot(
            title: "Smallest budget reaching \(Int(Self.target * 100))% on every problem vs n (N: the largest token count)", xLabel: "vectors per set n",
            yLabel: "budget",
            series: configuration.mixers.filter(\.hasBudget).map { kind in
                PlotSeries(name: kind.rawValue, points: targetBudgets(kind).map { target in
                    let tokens = configuration.problems.map { MixerHardnessExperiment.tokenCount($0, n: target.n) }.max()!
                    return PlotPoint(x: Double(target.n), y: Double(target.budget == Int.max ? tokens : target.budget))
                })
            })
    }

    var summary: String {
        let c = configuration
        return """
            Each mixer (\(c.mixers.map(\.rawValue).joined(separator: ", "))) in place of exact softmax inside the \
            constructions for \(c.problems.map(\.rawValue).joined(separator: ", ")) (3-OV with |C| = \(c.thirdSetSize) \
            heads), same tokens, weights, scale 1 and read-out, on \(c.instances) planted-yes and \(c.instances) \
            planted-no seeded instances per (problem, n), n = \(c.setSizes.map(String.init).joined(separator: ", ")), \
            d = max(4, ⌈2·log₂ n⌉); budgets \(c.budgets.map(String.init).joined(separator: ", ")) (window, \
            Performer/Linformer features, Nyström landmarks, polynomial features) below the token count N, and N (not Nyström). \
            Causal-only mixers see the tokens in reverse order (extra token, B, then A); Nyström's inputs are padded with zero rows to a \
            multiple of the landmarks. Mamba is not a Q/K/V mixer and is left out.
            """
    }
}
