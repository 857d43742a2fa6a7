import ArgumentParser
import Experiments
import Foundation
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on d-retrieval, mqar, copy or text; resumable with --checkpoint.",
        discussion: """
            Defaults follow SCIENCE.md: d-retrieval is Yu et al.'s model (class token, 8 dims per head, no \
            residual or norm; T = 16, D = 4, 8000/2000 samples, 60 epochs); mqar V = 256, N = 128, kv = 8 with \
            2 attention-only layers; copy strings of 5–20 letters; text the shipped sample (or --text FILE) \
            with context 64. AdamW with warm-up + cosine schedule, gradient norm clipped at 1. With \
            --checkpoint DIR a run resumes from the checkpoint there and ends with the same weights as an \
            uninterrupted run; a checkpoint of another run is never overwritten.
            """)

    @Option(help: "d-retrieval, mqar, copy or text.") var task: String
    @Option(help: "d-retrieval: T vectors; mqar: N tokens (default 16 / 128).") var length: Int?
    @Option(help: "d-retrieval: D targets.") var targets = 4
    @Option(help: "d-retrieval: input dimension.") var inputDim = 4
    @Option(help: "Training examples per epoch (default 8000 for d-retrieval, 100000 for mqar and copy).") var trainSamples: Int?
    @Option(help: "Validation examples (default 2000 for d-retrieval, 1000 for mqar and copy).") var validationSamples: Int?
    @Option(help: "mqar: key-value pairs.") var pairs = 8
    @Option(help: "mqar: vocabulary size.") var vocab = 256
    @Option(help: "copy: shortest string.") var minLength = 5
    @Option(help: "copy: longest string.") var maxLength = 20
    @Option(help: "text: a text file (default: the shipped Zen of Python sample).") var text: String?
    @Option(help: "text: context length in bytes.") var context = 64
    @Option(help: "NAME[:P]: exact, window:W, linear, based, gla, retnet, performer[:features], polynomial[:degree], linformer[:k], nystrom[:landmarks] or mamba[:state size].")
    var mixer = "exact"
    @Option(help: "Blocks (default 1 for d-retrieval, 2 otherwise).") var layers: Int?
    @Option(help: "Mixture-of-Depths: the fraction C in (0, 1] of tokens a routed block processes (default: no routing).")
    var routingCapacity: Double?
    @Option(help: "Mixture-of-Depths: learned (top-k by the router) or random routing.") var routingMode: String?
    @Option(help: "Mixture-of-Depths: route every K-th block, 1…64 (default 2: blocks 1, 3, 5, …).") var routingEvery: Int?
    @Flag(help: "Mixture-of-Depths: train the causal predictor of each routed block.") var routingPredictor = false
    @Option(help: "Heads per mixer (default D for d-retrieval, 1 for mqar, 4 otherwise).") var heads: Int?
    @Option(help: "Model width m (default 8·heads for d-retrieval, 64 otherwise).") var width: Int?
    @Option(help: "pre, post or none (default none for d-retrieval, pre otherwise).") var norm: String?
    @Option(help: "Attention Residuals instead of the residual stream (pre-norm only): full, or block:S with S sub-layers per block (S divides 2·layers, or layers without MLPs).")
    var attentionResiduals: String?
    @Option(help: "Passes over the training examples (default 60 for d-retrieval).") var epochs: Int?
    @Option(help: "Optimizer steps (default 1500 except for d-retrieval).") var steps: Int?
    @Option(help: "Examples per step.") var batch = 64
    @Option(help: "Peak learning rate.") var lr: Float = 1e-3
    @Option(help: "AdamW decoupled weight decay (default 0.1 for mqar, 0.01 otherwise).") var weightDecay: Float?
    @Option(help: "Linear warm-up steps (default min(100, steps/20)).") var warmup: Int?
    @Option(help: "Seed of initialisation, examples and data order.") var seed: UInt64 = 0
    @Option(help: "Directory of the checkpoint to write, and to resume from if it holds one.") var checkpoint: String?
    @Option(help: "Save the checkpoint every K steps (and always at the end).") var checkpointEvery: Int?
    @Option(help: "Results file (SQLite) to add this run and its learning curve to, for `attnlab report`.") var results: String?
    @Option(help: "Validation points of the learning curve, evenly spaced (default 20 with --results, else 0).")
    var curvePoints: Int?
    @Flag(help: "MoDA depth keys: each attention layer also attends to the K/V earlier layers made for the same token (--mixer exact only).")
    var depthKeys = false
    @Flag(help: "With --depth-keys: each MLP adds a depth slot too (a K/V projection of its input).") var depthFfnSlots = false
    @Flag(help: "Print the result as JSON (no progress).") var json = false

    /// Most learning-curve points: each one evaluates the whole validation set.
    static let largestCurvePoints = 1000

    func validate() throws {
        guard TaskDescription.names.contains(task) else {
            throw ValidationError("unknown task \(task); expected one of \(TaskDescription.names.joined(separator: ", "))")
        }
        guard MixerChoice(argument: mixer) != nil else { throw ValidationError("unknown mixer \(mixer); expected one of \(MixerChoice.names)") }
        if let norm, NormPlacement(rawValue: norm) == nil { throw ValidationError("--norm must be pre, post or none, got \(norm)") }
        if let attentionResiduals,
           !(AttentionResidualsDescription(argument: attentionResiduals).map { (1...IntegerList.largest).contains($0.blockSize) } ?? false) {
            throw ValidationError("--attention-residuals must be full or block:S with S in 1…\(IntegerList.largest), got \(attentionResiduals)")
        }
        if depthFfnSlots && !depthKeys { throw ValidationError("--depth-ffn-slots needs --depth-keys") }
        if depthKeys && mixer != "exact" { throw ValidationError("--depth-keys needs --mixer exact, got --mixer \(mixer)") }
        if epochs != nil && steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        if checkpointEvery != nil && checkpoint == nil { throw ValidationError("--checkpoint-every needs --checkpoint") }
        if let curvePoints, !(0...Self.largestCurvePoints).contains(curvePoints) {
            throw ValidationError("--curve-points must be in 0…\(Self.largestCurvePoints), got \(curvePoints)")
        }
        try validateRouting()
        for (value, name) in [(epochs, "epochs"), (steps, "steps"), (batch, "batch"), (layers, "layers"), (heads, "heads"),
                              (width, "width"), (length, "length"), (checkpointEvery, "checkpoint-every")] {
            if let value, value <= 0 { throw ValidationError("--\(name) must be positive, got \(value)") }
        }
    }

    /// The routing options: a capacity in (0, 1], which the other routing options need.
    private func validateRouting() throws {
        guard let routingCapacity else {
            if routingMode != nil || routingEvery != nil || routingPredictor {
                throw ValidationError("--routing-mode, --routing-every and --routing-predictor need --routing-capacity")
            }
            return
        }
        guard routingCapacity > 0, routingCapacity <= 1 else {
            throw ValidationError("--routing-capacity must be in (0, 1], got \(routingCapacity)")
        }
        if let routingMode, RoutingDescription.Mode(rawValue: routingMode) == nil {
            throw ValidationError("--routing-mode must be learned or random, got \(routingMode)")
        }
        if let routingEvery, !(1...64).contains(routingEvery) {
            throw ValidationError("--routing-every must be in 1…64, got \(routingEvery)")
        }
    }

    /// The task from the options.
    private func taskDescription() throws -> TaskDescription {
        switch task {
        case "d-retrieval":
            return .dRetrieval(DRetrievalTask(length: length ?? 16, targets: targets, inputDimension: inputDim,
                                              trainSamples: trainSamples ?? 8000, validationSamples: validationSamples ?? 2000))
        case "mqar":
            return .mqar(MQARTask(vocabulary: vocab, length: length ?? 128, pairs: pairs, trainSamples: trainSamples ?? 100_000,
                                  validationSamples: validationSamples ?? 1000))
        case "copy":
            return .copy(CopyTask(minLength: minLength, maxLength: maxLength, trainSamples: trainSamples ?? 100_000,
                                  validationSamples: validationSamples ?? 1000))
        default:
            return .text(try TextTask(path: text, context: context))
        }
    }

    func run() throws {
        let task = try taskDescription()
        var model = task.defaultModel(layers: layers, heads: heads, width: width, norm: norm.flatMap(NormPlacement.init),
                                      mixer: MixerChoice(argument: mixer)!)
        model.attentionResiduals = attentionResiduals.flatMap(AttentionResidualsDescription.init(argument:))
        model.routing = routingCapacity.map {
            RoutingDescription(capacity: $0, every: routingEvery ?? 2, mode: routingMode.flatMap(RoutingDescription.Mode.init) ?? .learned,
                               predictor: routingPredictor, seed: seed)
        }
        if depthKeys { model.depthAttention = DepthAttentionDescription(feedForwardSlots: depthFfnSlots) }
        let defaultEpochs = task.name == "d-retrieval" ? 60 : nil
        let totalSteps = try steps ?? (epochs ?? defaultEpochs).map {
            try TrainingConfiguration.steps(epochs: $0, task: task, batchSize: batch)
        } ?? 1500
        let configuration = TrainingConfiguration(
            task: task, model: model, steps: totalSteps, batchSize: batch, learningRate: lr, warmupSteps: warmup,
            weightDecay: weightDecay ?? (task.name == "mqar" ? 0.1 : 0.01), seed: seed)
        try configuration.validate()
        let store = try results.map { try ResultsStore.open(path: $0) }
        let run = try store?.beginRun(experiment: "train", config: configuration, machine: MachineDescription.current())
        if let store, let run { InterruptHandler.markInterrupted(run, in: store) }
        let display = TrainingDisplay(mode: json ? .silent : (isatty(STDERR_FILENO) != 0 ? .bar : .lines), task: task.name)
        let result: TrainingResult
        do {
            result = try train(configuration, checkpointDirectory: checkpoint.map { URL(fileURLWithPath: $0) },
                               checkpointEvery: checkpointEvery, curvePoints: curvePoints ?? (results == nil ? 0 : 20),
                               progress: display.update).result
            display.finish()
            if let store, let run {
                try store.recordCurve(run: run, label: "train", points: result.curve)
                try store.finishRun(run)
            }
        } catch {
            display.finish()
            if let store, let run { try? store.finishRun(run, status: .failed) }
            throw error
        }
        if json {
            print(try JSONOutput.string(result))
        } else {
            print("""
                task:               \(task.name)
                steps:              \(result.steps)\(result.resumedFromStep > 0 ? " (resumed from \(result.resumedFromStep))" : "")
                train loss:         \(format(result.trainLoss, digits: 5))
                validation loss:    \(format(result.validationLoss, digits: 5))
                validation \(result.metric.rawValue):\(String(repeating: " ", count: max(1, 8 - result.metric.rawValue.count)))\(format(result.validationMetric, digits: 5))
                steps/s:            \(format(result.stepsPerSecond, digits: 1))
                seconds:            \(format(result.seconds, digits: 1))
                """)
        }
    }
}
