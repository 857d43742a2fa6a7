import Foundation

/// The auxiliary predictor of a routed block (SCIENCE.md §5): a width → 16 → 1 ReLU MLP on the block's
/// input, read as stop-gradient (no gradient reaches the stream), trained with binary cross-entropy against
/// whether top-k picked the token. Its logit > 0 is the causal selection rule used for sampling.
///
/// Shapes: x `[R, m]` (R = batch · N rows), logits `[R]`. Cost: forward 2·R·16·(m + 1) FLOPs, backward twice that.
final class RoutingPredictor {
    static let hidden = 16
    let mlp: MLPLayer
    /// Rows of the last forward, and of them the ones whose logit sign matched the membership.
    private(set) var rows = 0
    private(set) var correct = 0
    /// `[R]`: dLoss/dlogit.
    private let gradLogits: FloatBuffer

    /// Registers `{name}.fc1.*` and `{name}.fc2.*`.
    init(_ name: String, width: Int, rows capacity: Int, parameters: ParameterStore) {
        mlp = MLPLayer(name, input: width, hidden: RoutingPredictor.hidden, output: 1, activation: .relu, rows: capacity,
                       parameters: parameters)
        gradLogits = FloatBuffer(count: capacity)
    }

    /// The logits of `rows` rows of x. The input is kept for `backward`.
    func forward(_ x: UnsafePointer<Float>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        mlp.forward(x, rows: rows, context)
    }

    /// Scores the last forward's logits against `membership` (1 picked, 0 not, `[R]`): counts the correct
    /// signs and keeps the gradient of the mean BCE over the rows for `backward`.
    func score(membership: UnsafePointer<Float>, rows: Int) {
        let logits = mlp.output
        self.rows = rows
        correct = 0
        for row in 0..<rows {
            let probability = 1 / (1 + exp(-logits[row]))
            gradLogits.pointer[row] = (probability - membership[row]) / Float(rows)
            if (logits[row] > 0) == (membership[row] > 0.5) { correct += 1 }
        }
    }

    /// Adds the BCE gradient of the last `score` to the predictor's weights (none flows to the input).
    func backward(rows: Int, _ context: StepContext) {
        mlp.backward(gradLogits.pointer, rows: rows, context, inputGradient: false)
    }

    /// The Float64 mean BCE of the predictor on `x` against `membership`: the yardstick of its gradient check.
    func referenceLoss(_ x: [Double], membership: [Double], parameters: [Double]) -> Double {
        let logits = mlp.reference(x, rows: membership.count, parameters: parameters)
        let total = zip(logits, membership).reduce(0.0) { sum, pair in
            let (z, t) = pair
            return sum + max(z, 0) - z * t + log(1 + exp(-abs(z)))
        }
        return total / Double(membership.count)
    }
}
