import Foundation

/// What one `SweepRunner.run` did and what the stored points of its configuration now show.
public struct SweepOutcome: Sendable {
    public let run: RunRecord
    /// Points of this shard measured by this run.
    public let measuredPoints: Int
    /// Points of this shard skipped because an earlier run had stored them.
    public let resumedPoints: Int
    /// Points of the whole sweep stored so far (all shards and runs), and the sweep's size.
    public let storedPoints: Int
    public let totalPoints: Int
    /// Analysis of every stored point of this configuration, not only this run's.
    public let analysis: ExperimentAnalysis
}

/// Runs an experiment's sweep against a results store: measures this shard's points that are not yet
/// stored, committing each as it completes, then analyses everything stored for the configuration.
///
/// Killing the process loses at most the point being measured; running the same configuration again
/// skips every stored point (whichever run or shard stored it).
public struct SweepRunner: Sendable {
    public let store: ResultsStore
    public let shard: Shard
    public let machine: MachineDescription
    public let progressMode: ProgressReporter.Mode

    /// - Parameter machine: stored with the run; its `peakGFLOPS` is also stored with each point.
    public init(store: ResultsStore, shard: Shard = .whole, machine: MachineDescription,
                progressMode: ProgressReporter.Mode = .silent) {
        self.store = store
        self.shard = shard
        self.machine = machine
        self.progressMode = progressMode
    }

    /// Measures the missing points of `experiment` in this shard.
    /// - Parameter runStarted: called with the stored run before the first point is measured (the
    ///   CLI uses it to mark the run interrupted on Ctrl-C).
    /// - Throws: `ResultsStoreError` from the store, or the experiment's own error for a point (the run
    ///   is then marked failed; points stored before stay).
    public func run<E: Experiment>(_ experiment: E, runStarted: (RunRecord) -> Void = { _ in }) throws -> SweepOutcome {
        let run = try store.beginRun(
            experiment: E.name, config: experiment.configuration, machine: machine,
            shard: shard == .whole ? nil : shard)
        runStarted(run)
        let sweep = experiment.points
        let mine = shard.select(sweep)
        let done = try store.completedPoints(experiment: E.name, configHash: run.configHash)
        let keys = try mine.map { try CanonicalJSON.pointKey($0.point) }
        let progress = ProgressReporter(total: mine.count, label: E.name, mode: progressMode)
        let resumed = keys.filter(done.contains).count
        progress.skipped(resumed)
        var measured = 0
        do {
            // The first point of a fresh process measured ~45% slow (thread pool, page faults, clock
            // ramp-up) despite its per-point warm-up; one untimed pass over it warms the process.
            if E.warmsUpFirstPoint, let (_, first) = zip(mine, keys).first(where: { !done.contains($0.1) })?.0 {
                _ = try experiment.measure(first, peakGFLOPS: machine.peakGFLOPS)
            }
            for ((_, point), key) in zip(mine, keys) where !done.contains(key) {
                let values = try experiment.measure(point, peakGFLOPS: machine.peakGFLOPS)
                try store.record(run: run, pointKey: key, values: values)
                try store.recordCurve(run: run, label: key, points: experiment.learningCurve(values))
                measured += 1
                progress.completed(experiment.describe(point))
            }
        } catch {
            progress.finish()
            try? store.finishRun(run, status: .failed)
            throw error
        }
        progress.finish()
        try store.finishRun(run)
        let records = try store.measurements(experiment: E.name, configHash: run.configHash)
        return SweepOutcome(
            run: run, measuredPoints: measured, resumedPoints: resumed, storedPoints: records.count,
            totalPoints: sweep.count, analysis: experiment.analyse(try experiment.results(from: records)))
    }
}
