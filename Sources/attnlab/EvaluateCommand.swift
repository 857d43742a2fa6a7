import ArgumentParser
import Foundation
import Training

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Validation loss and metric of a training checkpoint.")

    @Option(help: "Directory holding checkpoint.safetensors (from attnlab train --checkpoint).") var checkpoint: String
    @Flag(help: "Print JSON instead of text.") var json = false

    struct Report: Codable {
        let task: String
        let step: Int
        let steps: Int
        let validationLoss: Double
        let validationMetric: Double
        let metric: TaskMetric

        enum CodingKeys: String, CodingKey {
            case task, step, steps, metric, validationLoss = "validation_loss", validationMetric = "validation_metric"
        }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: checkpoint)
        guard FileManager.default.fileExists(atPath: Checkpoint.file(in: directory).path) else {
            throw CommandError("\(Checkpoint.file(in: directory).path): no checkpoint")
        }
        let trainer = try Checkpoint.restore(from: directory)
        let (loss, metric) = trainer.evaluate()
        let report = Report(task: trainer.configuration.task.name, step: trainer.step, steps: trainer.configuration.steps,
                            validationLoss: loss, validationMetric: metric, metric: trainer.metric)
        if json {
            print(try JSONOutput.string(report))
        } else {
            print("""
                task:               \(report.task)
                step:               \(report.step)/\(report.steps)
                validation loss:    \(format(loss, digits: 5))
                validation \(report.metric.rawValue): \(format(metric, digits: 5))
                """)
        }
    }
}
