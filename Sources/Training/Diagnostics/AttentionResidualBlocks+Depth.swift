extension AttentionResidualBlocks: DepthMeasurable {
    /// Reads the last forward pass's mixed inputs, sources and α (no recomputation). O(L·B·N·m).
    func depthSums(input: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> DepthSums {
        let rows = batch * length, count = rows * width, sublayers = units.count
        var sums = DepthSums(hiddenSquares: [], outputSquares: [], mixing: [], rows: rows)
        for l in 1...sublayers {
            sums.hiddenSquares.append(DepthSums.squares(l == 1 ? input : mixed[l - 2].pointer, count: count))
            let s = sources[l - 1].pointer
            if continuesBlock(l) {
                let previous = sources[l - 2].pointer
                sums.outputSquares.append((0..<count).reduce(0) { $0 + Double(s[$1] - previous[$1]) * Double(s[$1] - previous[$1]) })
            } else {
                sums.outputSquares.append(DepthSums.squares(s, count: count))
            }
        }
        sums.mixing = (2...(sublayers + 1)).map { c in
            let sourceIndices = Self.sourceIndices(c, blockSize: mode.blockSize), alpha = weights[c - 2].pointer
            var row = [Double](repeating: 0, count: sublayers + 1)
            for r in 0..<rows {
                for (t, i) in sourceIndices.enumerated() { row[i] += Double(alpha[r * sourceIndices.count + t]) }
            }
            return row
        }
        return sums
    }
}
