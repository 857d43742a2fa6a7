extension Trainer {
    /// The model's `DepthProfile` on up to one batch of training examples spread evenly over the
    /// training set (the weights are untouched; the gradient buffer is overwritten).
    public func depthProfile(threads: Int) -> DepthProfile {
        let probe = model.makeBatch()
        let count = min(configuration.batchSize, data.trainingCount)
        for slot in 0..<count { data.fill(probe, slot: slot, split: .training, index: slot * data.trainingCount / count) }
        probe.count = count
        return model.depthProfile(probe, threads: threads)
    }
}
