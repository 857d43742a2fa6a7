import Kernels

/// A model ready to train: its parameters, `shards` replicas of its layers (each with activations for
/// its share of the batch and its own gradient buffer) and the summed gradient.
///
/// A step runs the replicas in parallel, one slice of the batch each, every kernel inside a replica on
/// one thread; the replicas' gradients are then added in replica order. The shard count is part of the
/// training configuration, not of the machine, so results are bit-identical whatever the thread count.
public final class TrainingModel: @unchecked Sendable {
    public let description: ModelDescription
    public let parameters: ParameterStore
    public let batchSize: Int
    let shards: Int
    let replicas: [Network]
    private let replicaGradients: [FloatBuffer]
    /// The batch's gradient after `computeGradients` (the first replica's buffer).
    var gradients: FloatBuffer { replicaGradients[0] }
    private let losses: FloatBuffer
    /// Examples in the last batch run.
    private var lastCount = 0

    /// Builds the layers and draws the initial weights from `seed`.
    public init(_ description: ModelDescription, batchSize: Int, shards: Int = 2, seed: UInt64) throws {
        try description.validate()
        guard batchSize > 0, shards > 0 else {
            throw TrainingError.invalidOption("batch size and shards must be positive, got \(batchSize) and \(shards)")
        }
        self.description = description
        self.batchSize = batchSize
        self.shards = min(shards, batchSize)
        let parameters = ParameterStore()
        let perShard = (batchSize + self.shards - 1) / self.shards
        replicas = (0..<self.shards).map { _ in Network(model: description, batch: perShard, parameters: parameters) }
        parameters.initialize(seed: seed)
        self.parameters = parameters
        replicaGradients = (0..<self.shards).map { _ in FloatBuffer(count: parameters.count) }
        losses = FloatBuffer(count: self.shards)
    }

    /// The examples of `batch` each shard takes: contiguous slices, as equal as possible.
    private func slice(_ shard: Int, of count: Int) -> Range<Int> {
        let per = (count + shards - 1) / shards
        return min(count, shard * per)..<min(count, (shard + 1) * per)
    }

    private func context(_ shard: Int) -> StepContext {
        StepContext(values: parameters.buffer.pointer, gradients: replicaGradients[shard].pointer, threads: 1)
    }

    /// The mean loss of `batch` (over its counted targets) and its gradient in `gradients`.
    /// Runs the shards on up to `threads` threads. Cost: ≈ 3× the forward FLOPs of the batch.
    func computeGradients(_ batch: Batch, threads: Int) -> Double {
        let loss = runShards(batch, threads: threads, backward: true)
        let total = gradients.pointer
        for shard in 1..<shards {
            let source = replicaGradients[shard].pointer
            for i in 0..<parameters.count { total[i] += source[i] }
        }
        return loss
    }

    /// Forward passes only: the batch's loss, scaled like `computeGradients`. Cost: the forward FLOPs.
    func evaluate(_ batch: Batch, threads: Int) -> Double {
        runShards(batch, threads: threads, backward: false)
    }

    /// Each shard's forward pass (and backward into its zeroed gradient buffer) on its slice of `batch`,
    /// in parallel; returns the summed loss. The loss scale is 1/(counted targets of the whole batch).
    private func runShards(_ batch: Batch, threads: Int, backward: Bool) -> Double {
        let scale = 1 / Float(max(1, batch.countedTargets(0..<batch.count)))
        lastCount = batch.count
        let shared = UncheckedSendable(self)
        parallelFor(shards, threads: threads) { shard in
            let model = shared.value
            let examples = model.slice(shard, of: batch.count)
            if backward { model.replicaGradients[shard].zero() }
            guard !examples.isEmpty else { model.losses.pointer[shard] = 0; return }
            let context = model.context(shard)
            let loss = model.replicas[shard].forward(batch, examples: examples, scale: scale, context)
            if backward { model.replicas[shard].backward(examples: examples.count, context) }
            model.losses.pointer[shard] = Float(loss)
        }
        return (0..<shards).reduce(0) { $0 + Double(losses.pointer[$1]) }
    }

    /// Calls `body` with each replica and the examples of the last batch it ran, to read its outputs.
    func inspectLastForward(_ body: (_ network: Network, _ examples: Range<Int>) -> Void) {
        for shard in 0..<shards {
            let examples = slice(shard, of: lastCount)
            if !examples.isEmpty { body(replicas[shard], examples) }
        }
    }

    /// The Float64 loss of `batch` at the current weights (optionally moved by `perturb`), composed of the
    /// layers' references: the yardstick of the gradient checks. Slow; for tests.
    func referenceLoss(_ batch: Batch, perturb: (inout [Double]) -> Void = { _ in }) -> Double {
        var p = parameters.flatValues.map(Double.init)
        perturb(&p)
        let scale = 1 / Double(max(1, batch.countedTargets(0..<batch.count)))
        return replicas[0].reference(batch, examples: 0..<batch.count, scale: scale, parameters: p)
    }

    /// A batch with this model's shapes and capacity.
    public func makeBatch() -> Batch { Batch(model: description, capacity: batchSize) }
}
