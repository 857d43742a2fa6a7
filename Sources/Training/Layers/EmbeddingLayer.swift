/// A token embedding: row `id` of a `[V, m]` table for every token id.
///
/// Shapes: ids `[R]` in 0..<V, y `[R, m]`. Initialised N(0, 1) like PyTorch's `nn.Embedding`, decayed.
/// Cost O(R·m) both ways; the backward pass adds dy rows into the table's gradient.
final class EmbeddingLayer {
    let vocabulary: Int
    let width: Int
    let table: Int
    let output: FloatBuffer
    private var ids: UnsafePointer<Int32>?

    init(_ name: String, vocabulary: Int, width: Int, rows: Int, parameters: ParameterStore) {
        self.vocabulary = vocabulary
        self.width = width
        table = parameters.register("\(name).weight", shape: [vocabulary, width], decays: true, initializer: .normal(1))
        output = FloatBuffer(count: rows * width)
    }

    @discardableResult
    func forward(_ ids: UnsafePointer<Int32>, rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        self.ids = ids
        for r in 0..<rows {
            precondition(ids[r] >= 0 && Int(ids[r]) < vocabulary, "token \(ids[r]) outside the vocabulary of \(vocabulary)")
            (output.pointer + r * width).update(from: context.values + table + Int(ids[r]) * width, count: width)
        }
        return output.pointer
    }

    func backward(_ dy: UnsafePointer<Float>, rows: Int, _ context: StepContext) {
        guard let ids else { preconditionFailure("backward before forward") }
        for r in 0..<rows {
            let target = context.gradients + table + Int(ids[r]) * width, source = dy + r * width
            for j in 0..<width { target[j] += source[j] }
        }
    }

    func reference(_ ids: [Int32], parameters p: [Double]) -> [Double] {
        ids.flatMap { id in p[(table + Int(id) * width)..<(table + (Int(id) + 1) * width)] }
    }
}
