import ArgumentParser
import Experiments
import Foundation
import Kernels

/// Options every `attnlab experiment <name>` takes: where results go, which shard, output style, timing.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Results file (SQLite); created if missing, resumed if it holds this sweep.")
    var db: String = ResultsStore.defaultFileName
    @Option(help: "Measure only shard i of n (0 ≤ i < n), e.g. 0/4; default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, else the whole sweep.")
    var shard: String?
    @Flag(help: "No progress output and no data table; print only the claims.") var quiet = false
    @Flag(help: "Print one JSON object with the claims and the data table instead of text.") var json = false
    @Option(help: "Threads the kernels use.") var threads: Int = Parallelism.defaultThreads
    @Option(help: "Untimed warm-up calls per point.") var warmup: Int = MeasurementSettings.sweepTiming.warmup
    @Option(help: "Timed calls always made per point (unless the budget runs out).")
    var minRepeats: Int = MeasurementSettings.sweepTiming.minRepeats
    @Option(help: "Timed calls never exceeded per point.") var maxRepeats: Int = MeasurementSettings.sweepTiming.maxRepeats
    @Option(help: "Seconds of timing per point before repeats stop.")
    var budget: Double = MeasurementSettings.sweepTiming.budgetSeconds

    func validate() throws {
        guard !db.isEmpty else { throw ValidationError("--db must name a results file") }
        try OptionLimits.check(threads, in: OptionLimits.threads, option: "--threads")
        try OptionLimits.check(warmup, in: 0...OptionLimits.repeats.upperBound, option: "--warmup")
        try OptionLimits.check(maxRepeats, in: OptionLimits.repeats, option: "--max-repeats")
        guard minRepeats >= 1, maxRepeats >= minRepeats else {
            throw ValidationError("--min-repeats must be at least 1 and at most --max-repeats, got \(minRepeats) and \(maxRepeats)")
        }
        guard budget.isFinite, budget > 0 else { throw ValidationError("--budget must be a positive number of seconds, got \(budget)") }
        _ = try resolvedShard()
    }

    /// What is timed and how: part of the sweep's configuration (and so of its hash).
    var settings: MeasurementSettings {
        let defaults = MeasurementSettings.sweepTiming
        return MeasurementSettings(
            timing: TimingPolicy(warmup: warmup, minRepeats: minRepeats, maxRepeats: maxRepeats, budgetSeconds: budget,
                                 stableWindow: defaults.stableWindow, stableRelativeSpread: defaults.stableRelativeSpread,
                                 noisyCoefficientOfVariation: defaults.noisyCoefficientOfVariation),
            threads: threads)
    }

    /// `--shard`, else the Slurm job array's task, else the whole sweep.
    func resolvedShard() throws -> Shard {
        do {
            if let shard { return try Shard.parse(shard) }
            return try Shard.fromEnvironment() ?? .whole
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// A comma-separated list of integers on the command line, e.g. `--lengths 512,1024,2048`.
/// The syntax and a bound on every value (|value| ≤ `largest`, so no size can overflow) are checked here;
/// each experiment checks the values' ranges.
struct IntegerList: ExpressibleByArgument {
    /// 2²⁰: larger than any size an experiment can measure on one machine.
    static let largest = 1 << 20

    let values: [Int]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0.map { (-Self.largest...Self.largest).contains($0) } ?? false }) else { return nil }
        values = parts.map { $0! }
    }

    init(_ values: [Int]) { self.values = values }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

/// A comma-separated list of names of a string enum, e.g. `--paths flash,naive`.
struct NameList<Value: RawRepresentable & CaseIterable>: ExpressibleByArgument where Value.RawValue == String {
    let values: [Value]

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Value(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        values = parts.map { $0! }
    }

    init(_ values: [Value]) { self.values = values }

    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }

    static var allValueStrings: [String] { Value.allCases.map(\.rawValue) }
}

/// Builds an experiment from options, turning a bad configuration into a usage error.
func validated<E: Experiment>(_ build: () throws(ExperimentError) -> E) throws -> E {
    do { return try build() } catch { throw ValidationError(error.description) }
}
