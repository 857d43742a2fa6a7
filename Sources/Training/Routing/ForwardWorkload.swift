import Kernels

extension TrainingModel {
    /// A full batch of seeded random tokens and targets for this token model, and a closure running the
    /// model's forward pass (loss only) on it with `threads` threads: the workload of forward-time
    /// measurements. Throws for a model with continuous inputs or a regression head.
    public func forwardWorkload(seed: UInt64, threads: Int) throws -> () -> Double {
        guard case .tokens(let vocabulary) = description.input, case .classification(let classes) = description.output else {
            throw TrainingError.invalidOption("forward timing needs a token model with a classification head")
        }
        let batch = makeBatch()
        var generator = SeededGenerator(seed: seed)
        let (tokens, targets) = (batch.tokens!, batch.classTargets!)
        for i in 0..<tokens.count { tokens.pointer[i] = Int32.random(in: 0..<Int32(vocabulary), using: &generator) }
        for i in 0..<targets.count { targets.pointer[i] = Int32.random(in: 0..<Int32(classes), using: &generator) }
        batch.count = batchSize
        return { self.evaluate(batch, threads: threads) }
    }
}
