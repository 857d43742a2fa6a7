import Kernels

extension TrainingModel {
    /// For a MoDA model (`depthAttention` set), runs the forward pass on `batch` (no gradients) and returns,
    /// per attention layer, the mean share of softmax probability its queries put on depth slots, averaged
    /// over the batch's examples, heads and positions (0 for the first layer); nil for other models.
    /// Cost: one evaluation of the batch plus 2·B·H·N·S·d FLOPs per layer. Outside the training loop.
    public func depthAttentionMass(_ batch: Batch, threads: Int) -> [Double]? {
        guard description.depthAttention != nil else { return nil }
        _ = evaluate(batch, threads: threads)
        var sums = [Double](repeating: 0, count: description.layers)
        var examples = 0
        inspectLastForward { network, slice in
            guard let blocks = network.blocks as? DepthAttentionBlocks else { return }
            for (layer, share) in blocks.depthMassShares(batch: slice.count).enumerated() {
                sums[layer] += share * Double(slice.count)
            }
            examples += slice.count
        }
        return sums.map { $0 / Double(max(1, examples)) }
    }
}

extension Trainer {
    /// `TrainingModel.depthAttentionMass` on the first min(batch size, validation count) validation
    /// examples; nil for a model without depth keys.
    public func depthAttentionMass(threads: Int = Parallelism.defaultThreads) -> [Double]? {
        let sample = model.makeBatch()
        let count = min(configuration.batchSize, data.validationCount)
        for slot in 0..<count { data.fill(sample, slot: slot, split: .validation, index: slot) }
        sample.count = count
        return model.depthAttentionMass(sample, threads: threads)
    }
}
