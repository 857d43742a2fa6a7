import Training

/// Widths at which models with different mixers have (nearly) the same number of parameters.
enum EqualParameterWidth {
    /// Parameters of `model` (its `ParameterStore` count). Cost: builds the layers for one example.
    static func parameters(_ model: ModelDescription) throws -> Int {
        try TrainingModel(model, batchSize: 1, shards: 1, seed: 0).parameters.count
    }

    /// The multiple of `step` in `step…limit` whose model (`model(width)`) has the parameter count closest
    /// to `target`, with that count. Throws if no candidate validates.
    static func closest(to target: Int, step: Int, limit: Int, model: (Int) -> ModelDescription) throws
        -> (width: Int, parameters: Int)
    {
        var best: (width: Int, parameters: Int)?
        for width in stride(from: step, through: max(step, limit), by: step) {
            let count = try parameters(model(width))
            if best.map({ abs(count - target) < abs($0.parameters - target) }) ?? true { best = (width, count) }
            if count > target { break }
        }
        return best!
    }
}
