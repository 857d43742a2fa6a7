import Kernels

/// The softmax backward over explicit probability rows (Nyström's K₁ blocks and its m × m kernel).
enum ProbabilityRows {
    /// The gradient of the scores from that of the probabilities P = softmax(S), in place, for `rows` rows
    /// of `columns` contiguous floats: `g[r, :] ← P[r, :] ⊙ (g[r, :] − ⟨g[r, :], P[r, :]⟩)`.
    /// On the calling thread. Cost 4 FLOPs per element.
    static func backward(probabilities p: UnsafePointer<Float>, gradient g: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for row in 0..<rows {
            let (pr, gr) = (p + row * columns, g + row * columns)
            let inner = MixerVector(repeating: dotProduct(gr, pr, count: columns))
            zipLanes(gr, pr, into: gr, count: columns) { ($0 - inner) * $1 }
        }
    }
}
