import Kernels

/// Replaces each of `rows` rows of `columns` contiguous floats by its softmax, e^(x − max) / Σ e^(x − max),
/// with the exp inlined into the row loop (Kernels' `softmaxRows` calls it per vector): Nyström's
/// K₁ = softmax(Q·K̃ᵀ) blocks. For rows of finite scores (products of finite inputs), where it gives the
/// same bits as `softmaxRows`: the same shift, lane sums, padding and scaling. On the calling thread.
/// Cost one exp, one add and one multiply per element, plus a max.
func softmaxFiniteRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    for row in 0..<rows {
        let p = x + row * columns
        let shift = MixerVector(repeating: maximum(p, count: columns))
        var sum = MixerVector()
        var i = 0
        while i + mixerLanes <= columns {
            let e = vectorExp(p.vector(at: i) - shift)
            p.store(e, at: i)
            sum += e
            i += mixerLanes
        }
        if i < columns {
            var tail = MixerVector(repeating: -.infinity)  // e^−inf = 0 in the unused lanes
            for lane in 0..<(columns - i) { tail[lane] = p[i + lane] }
            let e = vectorExp(tail - shift)
            for lane in 0..<(columns - i) { p[i + lane] = e[lane] }
            sum += e
        }
        let scale = MixerVector(repeating: 1 / horizontalSum(sum))
        zipLanes(p, p, into: p, count: columns) { value, _ in value * scale }
    }
}
