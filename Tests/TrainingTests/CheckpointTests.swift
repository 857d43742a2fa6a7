import Foundation
import Testing
@testable import Training

@Suite struct CheckpointTests {
    /// A tiny MQAR run: 2 layers, width 16, 12 steps of batch 8.
    private func configuration(steps: Int = 12, seed: UInt64 = 1) -> TrainingConfiguration {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 32, length: 16, pairs: 2, trainSamples: 40, validationSamples: 16))
        return TrainingConfiguration(task: task, model: task.defaultModel(layers: 2, heads: 2, width: 16), steps: steps,
                                     batchSize: 8, learningRate: 3e-3, seed: seed)
    }

    @Test func resumedRunEndsWithTheSameWeightsBitForBit() throws {
        let straight = try train(configuration()).trainer
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Stop after 5 steps (a run of the same configuration interrupted there), then resume.
        let first = try Trainer(configuration())
        for _ in 0..<5 { try first.trainStep() }
        try Checkpoint.save(first, to: directory.url)
        let (result, resumed) = try train(configuration(), checkpointDirectory: directory.url)
        #expect(result.resumedFromStep == 5 && result.steps == 12)
        #expect(resumed.model.parameters.flatValues == straight.model.parameters.flatValues)
        #expect(resumed.lossCurve == straight.lossCurve)
        let restored = try Checkpoint.restore(from: directory.url).model.parameters
        #expect(restored.flatValues == straight.model.parameters.flatValues)
        #expect(restored.values(of: "head.weight")?.shape == [16, 32])
        #expect(restored.values(of: "blocks.1.mixer.qkv.weight") == straight.model.parameters.values(of: "blocks.1.mixer.qkv.weight"))
    }

    @Test func periodicCheckpointsAndEvaluationAgree() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (result, trainer) = try train(configuration(), checkpointDirectory: directory.url, checkpointEvery: 4)
        let restored = try Checkpoint.restore(from: directory.url)
        #expect(restored.step == 12 && restored.lossCurve.count == 12)
        let evaluation = restored.evaluate()
        #expect(evaluation.loss == result.validationLoss && evaluation.metric == result.validationMetric)
        #expect(trainer.lossCurve == result.lossCurve)
    }

    @Test func anotherRunsCheckpointIsRefusedAndKept() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = try train(configuration(steps: 3), checkpointDirectory: directory.url)
        let file = Checkpoint.file(in: directory.url)
        let before = try Data(contentsOf: file)
        #expect(throws: TrainingError.self) { try train(configuration(steps: 3, seed: 2), checkpointDirectory: directory.url) }
        #expect(try Data(contentsOf: file) == before)
    }

    @Test func corruptCheckpointIsAOneLineError() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let file = Checkpoint.file(in: directory.url)
        try Data("not a checkpoint".utf8).write(to: file)
        do {
            _ = try train(configuration(), checkpointDirectory: directory.url)
            Issue.record("a corrupt checkpoint was accepted")
        } catch let error as TrainingError {
            guard case .corruptCheckpoint(let message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(!message.contains("\n"))
        }
        #expect(try Data(contentsOf: file) == Data("not a checkpoint".utf8))
    }

    @Test func nonFiniteLossStopsAndKeepsTheLastCheckpoint() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var exploding = configuration()
        exploding.learningRate = 1e30
        exploding.warmupSteps = 0
        exploding.clipNorm = nil
        #expect(throws: TrainingError.self) {
            try train(exploding, checkpointDirectory: directory.url, checkpointEvery: 1)
        }
        var failedAt = 0
        do { _ = try train(exploding) } catch TrainingError.nonFiniteLoss(let step) { failedAt = step }
        #expect(failedAt > 1)
        let kept = try Checkpoint.restore(from: directory.url)
        #expect(kept.step == failedAt - 1 && kept.model.parameters.flatValues.allSatisfy(\.isFinite))
    }

    @Test func badOptionsAreRejected() {
        var bad = configuration()
        bad.learningRate = 0
        #expect(throws: TrainingError.invalidOption("learning rate must be positive, got 0.0")) { try Trainer(bad) }
        bad = configuration()
        bad.model.heads = 0
        #expect(throws: TrainingError.self) { try Trainer(bad) }
        #expect(MixerChoice(argument: "hyena") == nil && MixerChoice(argument: "window:4") == .window(4))
    }
}
