import Attention
import Foundation
import Kernels
import Training

/// Mixture-of-Depths (Raposo et al. 2024; SCIENCE.md §5): trains the standard stack, learned routing and
/// random routing at the same capacity on the shipped text (character-level LM) and on MQAR, at equal
/// total training FLOPs (the routed models run `routedSteps`, the baseline the steps that spend the
/// same FLOPs), and times one forward pass of a deep model with and without routing and the causal
/// attention of a routed block over its k = ceil(C·N) tokens at several N. Claims: MoD's forward pass
/// costs ≤ 0.6× the baseline's FLOPs and time; its loss is within 2% of the isoFLOP baseline's; learned
/// routing beats random; routed attention time grows as (C·N)².
///
/// Default: 6 training runs (≈ 1–2 minutes each) + 2 forward timings + 4 attention timings, sized for
/// ≤ 15 minutes on 2 cores in the release build; larger models through the flags, with `--shard`.
public struct ModExperiment: Experiment {
    public static let name = "mod"
    public static let title = "Mixture-of-Depths routing: isoFLOP loss, forward cost and routed attention"
    /// A training run warms the process in its first steps; a second, untimed run would double its cost.
    public static let warmsUpFirstPoint = false

    public let configuration: ModConfiguration

    public init(configuration: ModConfiguration) throws(ExperimentError) {
        let c = configuration
        guard c.capacity > 0, c.capacity <= 1 else { throw .invalidOption("capacity must be in (0, 1], got \(c.capacity)") }
        guard !c.tasks.isEmpty, c.tasks.allSatisfy(ModConfiguration.taskNames.contains) else {
            throw .invalidOption("tasks must be text and/or mqar, got \(c.tasks.joined(separator: ","))")
        }
        try OptionCheck.distinct(c.tasks, "tasks")
        try OptionCheck.sizes(c.attentionLengths, "attention lengths")
        try OptionCheck.distinct(c.attentionLengths, "attention lengths")
        guard c.learningRate > 0, c.learningRate.isFinite else {
            throw .invalidOption("learning rate must be positive, got \(c.learningRate)")
        }
        for (value, name) in [(c.every, "every"), (c.layers, "layers"), (c.width, "width"), (c.heads, "heads"),
                              (c.textContext, "text context"), (c.mqarLength, "MQAR length"), (c.mqarPairs, "MQAR pairs"),
                              (c.mqarVocabulary, "MQAR vocabulary"), (c.routedSteps, "steps"), (c.batchSize, "batch"),
                              (c.trainSamples, "training samples"), (c.validationSamples, "validation samples"),
                              (c.timingLength, "timing length"), (c.timingLayers, "timing layers"),
                              (c.timingWidth, "timing width")] {
            try OptionCheck.size(value, name)
        }
        try c.settings.validate()
        self.configuration = c
        do {
            for point in points where point.kind == .train { try trainingConfiguration(point).validate() }
            try timingModel(.learned).validate()
        } catch {
            throw .invalidOption("\(error)")
        }
    }

    /// Training runs (task by task: baseline, learned, random), then the forward timings, then the attention timings.
    public var points: [ModPoint] {
        let c = configuration
        let runs = c.tasks.flatMap { task in
            ModVariant.allCases.map { ModPoint(kind: .train, task: task, variant: $0, length: sequenceLength(task)) }
        }
        let forward = [ModVariant.baseline, .learned].map { ModPoint(kind: .forward, task: nil, variant: $0, length: c.timingLength) }
        return runs + forward + c.attentionLengths.map { ModPoint(kind: .attention, task: nil, variant: .learned, length: $0) }
    }

    private func sequenceLength(_ task: String) -> Int { task == "text" ? configuration.textContext : configuration.mqarLength }

    public func describe(_ point: ModPoint) -> String {
        switch point.kind {
        case .train: "train \(point.task ?? "") \(point.variant?.rawValue ?? "") N=\(point.length)"
        case .forward: "forward \(point.variant?.rawValue ?? "") N=\(point.length) L=\(configuration.timingLayers)"
        case .attention: "routed attention N=\(point.length) k=\(routing(.learned)!.selected(of: point.length))"
        }
    }

    /// The routing of a variant (nil for the baseline); learned routing trains the causal predictor.
    func routing(_ variant: ModVariant) -> RoutingDescription? {
        let c = configuration
        switch variant {
        case .baseline: return nil
        case .learned: return RoutingDescription(capacity: c.capacity, every: c.every, mode: .learned, predictor: true)
        case .random: return RoutingDescription(capacity: c.capacity, every: c.every, mode: .random, seed: UInt64(c.seed))
        }
    }

    private func task(_ name: String) throws -> TaskDescription {
        let c = configuration
        if name == "text" { return .text(try TextTask(path: nil, context: c.textContext)) }
        return .mqar(MQARTask(vocabulary: c.mqarVocabulary, length: c.mqarLength, pairs: c.mqarPairs,
                              trainSamples: c.trainSamples, validationSamples: c.validationSamples))
    }

    /// The model of a training point: the task's default pre-norm model at the configured size.
    private func model(_ task: TaskDescription, _ variant: ModVariant) -> ModelDescription {
        let c = configuration
        var model = task.defaultModel(layers: c.layers, heads: c.heads, width: c.width)
        model.mlpHidden = 4 * c.width
        model.routing = routing(variant)
        return model
    }

    /// The training run of a point. The routed variants run `routedSteps`; the baseline runs
    /// round(routedSteps × FLOPs(learned) / FLOPs(baseline)) steps: equal total training FLOPs.
    public func trainingConfiguration(_ point: ModPoint) throws -> TrainingConfiguration {
        let c = configuration
        let task = try task(point.task ?? "text")
        let variant = point.variant ?? .baseline
        let model = model(task, variant)
        var steps = c.routedSteps
        if variant == .baseline {
            let ratio = Double(self.model(task, .learned).forwardFLOPs) / Double(model.forwardFLOPs)
            steps = max(1, Int((Double(c.routedSteps) * ratio).rounded()))
        }
        return TrainingConfiguration(task: task, model: model, steps: steps, batchSize: c.batchSize,
                                     learningRate: c.learningRate, weightDecay: task.name == "mqar" ? 0.1 : 0.01,
                                     seed: UInt64(c.seed))
    }

    /// The forward-time model: `timingLayers` causal pre-norm blocks of width `timingWidth` (heads of 64,
    /// MLP 4×), N = `timingLength` tokens of a 256-symbol vocabulary; routed variants use top-k without predictor.
    func timingModel(_ variant: ModVariant) -> ModelDescription {
        let c = configuration
        var routing = routing(variant)
        routing?.predictor = false
        let heads = max(1, c.timingWidth / ModConfiguration.timingHeadDimension)
        return ModelDescription(input: .tokens(vocabulary: 256), tokens: c.timingLength, layers: c.timingLayers,
                                width: c.timingWidth, heads: heads, headDimension: ModConfiguration.timingHeadDimension,
                                mlpHidden: 4 * c.timingWidth, causal: true, output: .classification(classes: 256),
                                routing: routing)
    }

    /// Validation points per run for the learning curves.
    static let curvePoints = 8

    public func measure(_ point: ModPoint, peakGFLOPS: Double?) throws -> ModValues {
        switch point.kind {
        case .train: return try measureTraining(point)
        case .forward: return try measureForward(point.variant ?? .baseline)
        case .attention: return try measureAttention(length: point.length)
        }
    }

    private func measureTraining(_ point: ModPoint) throws -> ModValues {
        let training = try trainingConfiguration(point)
        let (result, trainer) = try Training.train(training, threads: configuration.settings.threads,
                                                   curvePoints: Self.curvePoints)
        var causalLoss: Double?
        var accuracy: Double?
        if point.variant == .learned {
            let accuracies = trainer.model.routingDiagnostics().compactMap(\.predictorAccuracy)
            accuracy = accuracies.reduce(0, +) / Double(max(1, accuracies.count))
            try trainer.model.selectCausally(true)
            causalLoss = trainer.evaluate(threads: configuration.settings.threads).loss
            try trainer.model.selectCausally(false)
        }
        let flops = training.model.forwardFLOPs
        return ModValues(forwardFLOPs: flops, steps: result.steps,
                         trainingFLOPs: 3 * Double(flops) * Double(training.batchSize) * Double(result.steps),
                         validationLoss: result.validationLoss, validationMetric: result.validationMetric,
                         trainLoss: result.trainLoss, causalValidationLoss: causalLoss, predictorAccuracy: accuracy,
                         seconds: result.seconds, curve: result.curve)
    }

    /// The median time of one forward pass (batch 1, one thread: the model's kernels run on its replica's thread).
    private func measureForward(_ variant: ModVariant) throws -> ModValues {
        let description = timingModel(variant)
        let model = try TrainingModel(description, batchSize: 1, shards: 1, seed: UInt64(configuration.seed))
        let run = try model.forwardWorkload(seed: 1, threads: 1)
        let sample = Experiments.measure(configuration.settings.timing) { blackHole(Float(run())) }
        return ModValues(forwardFLOPs: description.forwardFLOPs, seconds: sample.median, curve: [])
    }

    /// The median time of the causal attention of one routed block: k = ceil(C·N) tokens, heads of 64 dims.
    private func measureAttention(length: Int) throws -> ModValues {
        let k = routing(.learned)!.selected(of: length)
        let heads = max(1, configuration.timingWidth / ModConfiguration.timingHeadDimension)
        let inputs = AttentionInputs(heads: heads, length: k, width: ModConfiguration.timingHeadDimension)
        let threads = configuration.settings.threads
        let sample = try Experiments.measure(configuration.settings.timing) {
            let result = try scaledDotProductAttention(queries: inputs.queries, keys: inputs.keys, values: inputs.values,
                                                       mask: .causal, threads: threads)
            blackHole(result.output.withUnsafeBufferPointer { $0[0] })
        }
        let flops = 4 * heads * ModConfiguration.timingHeadDimension * k * (k + 1) / 2
        return ModValues(forwardFLOPs: flops, seconds: sample.median, curve: [])
    }

    public func learningCurve(_ values: ModValues) -> [CurvePoint] { values.curve }

    public func analyse(_ results: [ExperimentResult<ModPoint, ModValues>]) -> ExperimentAnalysis {
        ModAnalysis(configuration: configuration, results: results).analysis()
    }
}
