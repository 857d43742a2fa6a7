import Foundation

extension TrainingModel {
    /// One forward and backward pass on `batch`, then the `DepthProfile` of every replica's block stack
    /// (rows pooled) and each block's gradient norm. Overwrites `gradients`. Cost: a training step's
    /// gradient plus, for the standard stream, one more forward pass of the blocks. Returns empty
    /// per-sub-layer lists for stacks that do not measure depth.
    public func depthProfile(_ batch: Batch, threads: Int) -> DepthProfile {
        _ = computeGradients(batch, threads: threads)
        let context = StepContext(values: parameters.buffer.pointer, gradients: gradients.pointer, threads: 1)
        var total: DepthSums?
        inspectLastForward { network, examples in
            guard let stack = network.blocks as? any DepthMeasurable, let input = network.stackInput else { return }
            let sums = stack.depthSums(input: input, batch: examples.count, context)
            total = total.map { $0 + sums } ?? sums
        }
        let elements = Double(max(1, total?.rows ?? 0) * description.width)
        let rms = { (squares: [Double]) in squares.map { ($0 / elements).squareRoot() } }
        let rows = Double(max(1, total?.rows ?? 0))
        return DepthProfile(hiddenRMS: rms(total?.hiddenSquares ?? []), outputRMS: rms(total?.outputSquares ?? []),
                            layerGradientNorms: blockGradientNorms(),
                            mixing: (total?.mixing ?? []).map { $0.map { $0 / rows } })
    }

    /// ‖∂loss/∂θ_b‖ over the parameters named `blocks.{b}.*`, for b = 0…layers − 1.
    private func blockGradientNorms() -> [Double] {
        let g = gradients.pointer
        return (0..<description.layers).map { b in
            parameters.entries.filter { $0.name.hasPrefix("blocks.\(b).") }.reduce(0.0) { total, entry in
                total + DepthSums.squares(g + entry.offset, count: entry.count)
            }.squareRoot()
        }
    }
}
