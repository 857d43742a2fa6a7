import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a kernel: median seconds, GFLOP/s and % of the measured peak.",
        subcommands: [BenchGEMMCommand.self, BenchAttentionCommand.self, BenchMixerCommand.self, BenchTransformerCommand.self,
                      BenchStrassenCommand.self])
}
