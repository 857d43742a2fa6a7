/// One batch of examples in buffers allocated once for the model's shapes; tasks fill it, the
/// network reads it. Example b's slice of each buffer starts at b × (per-example size).
///
/// Shapes (B = capacity, T input tokens, P output positions): token ids `[B, T]` or input vectors
/// `[B, T, dim]`; class targets `[B, P]` (−1 = not counted) or regression targets `[B, k]`.
public final class Batch: @unchecked Sendable {
    public let capacity: Int
    let tokens: IndexBuffer?
    let vectors: FloatBuffer?
    let classTargets: IndexBuffer?
    let valueTargets: FloatBuffer?
    /// Examples filled (≤ capacity).
    public internal(set) var count = 0

    init(model: ModelDescription, capacity: Int) {
        self.capacity = capacity
        switch model.input {
        case .tokens:
            tokens = IndexBuffer(count: capacity * model.tokens)
            vectors = nil
        case .continuous(let dimension, _):
            tokens = nil
            vectors = FloatBuffer(count: capacity * model.tokens * dimension)
        }
        switch model.output {
        case .classification:
            classTargets = IndexBuffer(count: capacity * model.outputPositions)
            valueTargets = nil
        case .regression(let dimension, _):
            classTargets = nil
            valueTargets = FloatBuffer(count: capacity * dimension)
        }
    }

    /// Counted targets among examples `examples` (classification: not −1; regression: every value).
    func countedTargets(_ examples: Range<Int>) -> Int {
        if let valueTargets { return examples.count * valueTargets.count / capacity }
        let perExample = classTargets!.count / capacity
        var counted = 0
        for i in (examples.lowerBound * perExample)..<(examples.upperBound * perExample) where classTargets!.pointer[i] >= 0 {
            counted += 1
        }
        return counted
    }
}
