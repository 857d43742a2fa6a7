extension SequentialBlocks: DepthMeasurable {
    /// Re-runs the forward pass from `input` unit by unit, measuring the stream entering each unit and
    /// what each adds. Overwrites the units' activations: call after the backward pass. O(stack forward).
    func depthSums(input: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> DepthSums {
        let rows = batch * (units.first?.length ?? 0), count = batch * (units.first?.count ?? 0)
        var sums = DepthSums(hiddenSquares: [], outputSquares: [], mixing: [], rows: rows)
        var x = input
        for unit in units {
            let y = unit.forward(x, batch: batch, context)
            sums.hiddenSquares.append(DepthSums.squares(x, count: count))
            sums.outputSquares.append((0..<count).reduce(0) { $0 + Double(y[$1] - x[$1]) * Double(y[$1] - x[$1]) })
            x = y
        }
        return sums
    }
}
