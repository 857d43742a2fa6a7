/// Mean-squared error, fused with its gradient.
///
/// Shapes: predictions and targets `[R, k]`. The loss is `scale · Σ (p − t)²` with scale =
/// 1/(elements over the whole batch), so the replicas' losses add up to the mean; `forward` also
/// writes dp = 2·scale·(p − t). Cost O(R·k).
final class MeanSquaredErrorLayer {
    let width: Int
    let gradInput: FloatBuffer

    init(width: Int, rows: Int) {
        self.width = width
        gradInput = FloatBuffer(count: rows * width)
    }

    func forward(_ predictions: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, scale: Float) -> Double {
        var loss = 0.0
        for i in 0..<(rows * width) {
            let difference = predictions[i] - targets[i]
            loss += Double(difference * difference)
            gradInput.pointer[i] = 2 * scale * difference
        }
        return loss * Double(scale)
    }

    static func reference(_ predictions: [Double], targets: [Float], scale: Double) -> Double {
        zip(predictions, targets).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } * scale
    }
}
