import Foundation
import Kernels

/// A training run in memory: model, optimizer state, task examples, step counter and loss curve.
///
/// Step s (from 0) trains on examples s·B … s·B + B − 1 of the endless sequence of epochs, each epoch a
/// seeded permutation of the task's training examples: the data position is the step, so a restored
/// trainer continues exactly where the saved one stopped.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let model: TrainingModel
    let data: TaskData
    let optimizer: AdamW
    private let batch: Batch
    /// Steps done.
    public internal(set) var step = 0
    public internal(set) var lossCurve: [Float] = []
    private var order: [Int32] = []
    private var orderEpoch = -1
    /// The training examples of the current step, slot by slot.
    private let slots: IndexBuffer

    public init(_ configuration: TrainingConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        data = try configuration.task.prepare(seed: configuration.seed)
        model = try TrainingModel(configuration.model, batchSize: configuration.batchSize, shards: configuration.shards,
                                  seed: configuration.seed)
        optimizer = AdamW(settings: configuration.adam, parameters: model.parameters)
        batch = model.makeBatch()
        slots = IndexBuffer(count: configuration.batchSize)
        lossCurve.reserveCapacity(configuration.steps)
    }

    public var metric: TaskMetric { data.metric }

    /// Training example `position` of the endless epoch sequence.
    private func trainingExample(_ position: Int) -> Int {
        let count = data.trainingCount, epoch = position / count
        if epoch != orderEpoch {
            var generator = SeededGenerator(seed: configuration.seed ^ 0x0DE7_0000 ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
            order = (0..<Int32(count)).map { $0 }
            for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, generator.below(i + 1)) }
            orderEpoch = epoch
        }
        return Int(order[position % count])
    }

    /// One optimizer step: batch, forward, backward, clipping, AdamW at the scheduled rate. Returns the
    /// batch's loss and metric. Throws `.nonFiniteLoss` (weights untouched) if the loss or gradient is not finite.
    @discardableResult
    public func trainStep(threads: Int = Parallelism.defaultThreads) throws -> (loss: Double, metric: Double) {
        let size = configuration.batchSize
        for slot in 0..<size { slots.pointer[slot] = Int32(trainingExample(step * size + slot)) }
        fill(count: size, threads: threads) { Int(self.slots.pointer[$0]) }
        let loss = model.computeGradients(batch, threads: threads)
        let gradients = model.gradients.pointer, count = model.parameters.count
        let norm = clipGradientNorm(gradients, count: count, maximum: configuration.clipNorm ?? .infinity)
        guard loss.isFinite, norm.isFinite else { throw TrainingError.nonFiniteLoss(step: step + 1) }
        optimizer.update(model.parameters.buffer.pointer, gradients: gradients, count: count,
                         rate: configuration.schedule.rate(at: step), step: step + 1)
        step += 1
        lossCurve.append(Float(loss))
        var tally = MetricTally()
        tally.addLoss(loss, counted: batch.countedTargets(0..<size))
        model.inspectLastForward { network, examples in tally.addFlags(batch: batch, network: network, examples: examples) }
        return (loss, tally.value(data.metric, variance: data.targetVariance))
    }

    /// Fills the batch's first `count` slots with examples `index(slot)` of `split`, the slots split over
    /// `threads` threads (each example depends only on its index, so the order does not matter).
    private func fill(count: Int, split: DataSplit = .training, threads: Int, index: (Int) -> Int) {
        let (data, batch) = (self.data, self.batch)
        let parts = min(threads, count)
        parallelFor(parts, threads: threads) { part in
            for slot in stride(from: part, to: count, by: parts) {
                data.fill(batch, slot: slot, split: split, index: index(slot))
            }
        }
        batch.count = count
    }

    /// Loss and metric over the whole validation set (forward passes only).
    public func evaluate(threads: Int = Parallelism.defaultThreads) -> (loss: Double, metric: Double) {
        var tally = MetricTally()
        var first = 0
        while first < data.validationCount {
            let count = min(configuration.batchSize, data.validationCount - first)
            fill(count: count, split: .validation, threads: threads) { first + $0 }
            let loss = model.evaluate(batch, threads: threads)
            model.inspectLastForward { network, examples in tally.addFlags(batch: batch, network: network, examples: examples) }
            tally.addLoss(loss, counted: batch.countedTargets(0..<count))
            first += count
        }
        return (tally.loss, tally.value(data.metric, variance: data.targetVariance))
    }
}
