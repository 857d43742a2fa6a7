import ArgumentParser
import Experiments
import Foundation
import Kernels

struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Measure a complexity claim: sweep sizes, fit exponents, report claim, prediction, measurement and verdict.",
        discussion: """
            Each measured point is committed to the results file (--db) as it completes. Running the same \
            command again skips stored points, so an interrupted sweep resumes; --shard i/n (or a Slurm job \
            array) splits a sweep across processes, whose files `attnlab results merge` combines. \
            `attnlab report` turns a results file into HTML and Markdown with plots.
            """,
        subcommands: [
            ExperimentScalingCommand.self, ExperimentDirectSumCommand.self, ExperimentLargeEmbeddingCommand.self,
            ExperimentGradientCostCommand.self, ExperimentHardnessScalingCommand.self, ExperimentHeadsCommand.self,
            ExperimentRecallCommand.self, ExperimentCopyCommand.self, ExperimentBoundedEntriesCommand.self,
            ExperimentMixerHardnessCommand.self, ExperimentMixerFidelityCommand.self, ExperimentMixerScalingCommand.self,
            ExperimentAttnResCommand.self, ExperimentModCommand.self, ExperimentMoDACommand.self,
            ExperimentUnknownCommand.self,
        ],
        defaultSubcommand: ExperimentUnknownCommand.self)
}

/// Where `attnlab experiment <name>` lands when `<name>` is no experiment: says which names exist.
/// Without a name it shows the help of `attnlab experiment`.
struct ExperimentUnknownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unknown-experiment", shouldDisplay: false)

    @Argument(parsing: .allUnrecognized) var arguments: [String] = []

    func run() throws {
        guard let name = arguments.first else { throw CleanExit.helpRequest(ExperimentCommand.self) }
        throw ValidationError(ExperimentError.unknownExperiment(name).description)
    }
}

extension ExperimentOptions {
    /// Measures this shard's missing points of `experiment`, then prints what all stored points show.
    func run<E: Experiment>(_ experiment: E) throws {
        let shard = try resolvedShard()
        let store = try ResultsStore.open(path: db)
        let machine = MachineDescription.current(threads: threads)
        let runner = SweepRunner(store: store, shard: shard, machine: machine,
                                 progressMode: .automatic(quiet: quiet, json: json))
        let outcome = try runner.run(experiment) { run in InterruptHandler.markInterrupted(run, in: store) }
        let report = ExperimentReport(experiment: E.name, database: db, shard: shard, peakGFLOPS: machine.peakGFLOPS,
                                      outcome: outcome)
        if json {
            print(try JSONOutput.string(report))
        } else {
            print(report.text(withTable: !quiet))
        }
    }
}

/// On Ctrl-C or SIGTERM: marks the run interrupted and exits with status 130. Every point measured
/// before is already committed; re-running the command resumes.
enum InterruptHandler {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func markInterrupted(_ run: RunRecord, in store: ResultsStore) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                try? store.finishRun(run, status: .interrupted)
                FileHandle.standardError.write(Data(
                    "\ninterrupted: the points measured so far are stored in '\(store.path)'; run the same command again to resume\n".utf8))
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }
}
