import ArgumentParser

@main
struct AttnLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attnlab",
        abstract: "Exact transformer attention on the CPU, and the limits of computing it.",
        subcommands: [
            InfoCommand.self, AttentionCommand.self, MixCommand.self, BenchCommand.self, HardnessCommand.self, ExperimentCommand.self,
            ResultsCommand.self, ReportCommand.self,
            TrainCommand.self,
            EvaluateCommand.self,
        ])
}
