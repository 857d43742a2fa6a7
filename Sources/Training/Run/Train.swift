import Foundation
import Kernels

/// Trains `configuration` to its last step and evaluates on the validation set.
///
/// With a `checkpointDirectory`, a checkpoint already there resumes the run (the final weights are
/// then bit-identical to an uninterrupted run's); a checkpoint of another configuration, or a damaged
/// file, throws before anything is written. The state is saved every `checkpointEvery` steps (if set)
/// and at the end. A non-finite loss throws `.nonFiniteLoss` naming the step; the last checkpoint stays.
/// `progress` is called after every step. With `curvePoints` > 0 the run also evaluates on the validation
/// set after that many evenly spaced steps (`CurvePoint.steps`, the last one the final step) for the
/// result's `curve`; a resumed run's curve starts after the step it resumed from. Evaluation reads the
/// weights only, so the final weights do not depend on it.
public func train(
    _ configuration: TrainingConfiguration, checkpointDirectory: URL? = nil, checkpointEvery: Int? = nil,
    threads: Int = Parallelism.defaultThreads, curvePoints: Int = 0, progress: (TrainingProgress) -> Void = { _ in }
) throws -> (result: TrainingResult, trainer: Trainer) {
    try configuration.validate()
    if let checkpointEvery, checkpointEvery <= 0 {
        throw TrainingError.invalidOption("checkpoint-every must be positive, got \(checkpointEvery)")
    }
    let started = monotonicSeconds()
    var trainer: Trainer
    if let directory = checkpointDirectory, let stored = try Checkpoint.configuration(in: directory) {
        guard stored == configuration else {
            throw TrainingError.checkpointMismatch(
                "\(Checkpoint.file(in: directory).path) holds a checkpoint of another run (\(differences(stored, configuration))); not overwritten")
        }
        trainer = try Checkpoint.restore(from: directory)
    } else {
        trainer = try Trainer(configuration)
    }
    let resumedFrom = trainer.step
    let curveSteps = CurvePoint.steps(points: curvePoints, of: configuration.steps)
    var curve: [CurvePoint] = []
    var evaluationSeconds = 0.0
    func addCurvePoint(_ validation: (loss: Double, metric: Double)) {
        let since = curve.last?.step ?? curveSteps.last(where: { $0 <= resumedFrom }) ?? 0
        let losses = trainer.lossCurve[since..<trainer.step]
        curve.append(CurvePoint(step: trainer.step, trainLoss: losses.reduce(0) { $0 + Double($1) } / Double(max(1, losses.count)),
                                validationLoss: validation.loss, validationMetric: validation.metric))
    }
    let stepsStarted = monotonicSeconds()
    while trainer.step < configuration.steps {
        let (loss, metric) = try trainer.trainStep(threads: threads)
        let rate = Double(trainer.step - resumedFrom) / max(monotonicSeconds() - stepsStarted, 1e-9)
        progress(TrainingProgress(step: trainer.step, totalSteps: configuration.steps, loss: loss, metric: metric,
                                  stepsPerSecond: rate))
        if let directory = checkpointDirectory, let every = checkpointEvery, trainer.step % every == 0,
           trainer.step < configuration.steps {
            try Checkpoint.save(trainer, to: directory)
        }
        if curveSteps.contains(trainer.step) && trainer.step < configuration.steps {
            let evaluated = monotonicSeconds()
            addCurvePoint(trainer.evaluate(threads: threads))
            evaluationSeconds += monotonicSeconds() - evaluated
        }
    }
    let stepSeconds = monotonicSeconds() - stepsStarted - evaluationSeconds
    if let directory = checkpointDirectory, resumedFrom < configuration.steps || !FileManager.default.fileExists(atPath: Checkpoint.file(in: directory).path) {
        try Checkpoint.save(trainer, to: directory)
    }
    let validation = trainer.evaluate(threads: threads)
    if curveSteps.contains(trainer.step) && trainer.step > resumedFrom { addCurvePoint(validation) }
    let tail = trainer.lossCurve.suffix(100)
    let result = TrainingResult(
        trainLoss: tail.reduce(0) { $0 + Double($1) } / Double(max(1, tail.count)), validationLoss: validation.loss,
        validationMetric: validation.metric, metric: trainer.metric, steps: trainer.step,
        stepsPerSecond: trainer.step > resumedFrom ? Double(trainer.step - resumedFrom) / stepSeconds : 0,
        seconds: monotonicSeconds() - started, resumedFromStep: resumedFrom, lossCurve: trainer.lossCurve, curve: curve)
    return (result, trainer)
}

/// Names the top-level fields in which two configurations differ, for the mismatch message.
private func differences(_ a: TrainingConfiguration, _ b: TrainingConfiguration) -> String {
    var fields: [String] = []
    if a.task != b.task { fields.append("task") }
    if a.model != b.model { fields.append("model") }
    if a.steps != b.steps { fields.append("steps \(a.steps) vs \(b.steps)") }
    if a.batchSize != b.batchSize { fields.append("batch") }
    if a.learningRate != b.learningRate || a.warmupSteps != b.warmupSteps || a.adam != b.adam || a.clipNorm != b.clipNorm {
        fields.append("optimizer")
    }
    if a.seed != b.seed { fields.append("seed") }
    if a.shards != b.shards { fields.append("shards") }
    return "differs in " + fields.joined(separator: ", ")
}
