/// Turns per-token embeddings into the sequence the blocks see: an optional learned class token in
/// front and optional learned positions added.
///
/// Shapes: x `[B, T, m]` → y `[B, N, m]` with N = T + 1 with a class token, else T; class token `[m]`
/// and positions `[N, m]`, both N(0, 0.02²) and not decayed. Cost O(B·N·m) both ways.
final class SequenceAssemblyLayer {
    let tokens: Int
    let width: Int
    let classToken: Int?
    let positions: Int?
    let output: FloatBuffer
    let gradInput: FloatBuffer

    var length: Int { tokens + (classToken == nil ? 0 : 1) }

    init(tokens: Int, width: Int, classToken: Bool, positions: Bool, batch: Int, parameters: ParameterStore) {
        self.tokens = tokens
        self.width = width
        let length = tokens + (classToken ? 1 : 0)
        self.classToken = classToken
            ? parameters.register("class_token", shape: [width], decays: false, initializer: .normal(0.02)) : nil
        self.positions = positions
            ? parameters.register("positions", shape: [length, width], decays: false, initializer: .normal(0.02)) : nil
        output = FloatBuffer(count: batch * length * width)
        gradInput = FloatBuffer(count: batch * tokens * width)
    }

    @discardableResult
    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let first = classToken == nil ? 0 : 1
        for b in 0..<batch {
            let y = output.pointer + b * length * width
            if let classToken { y.update(from: context.values + classToken, count: width) }
            (y + first * width).update(from: x + b * tokens * width, count: tokens * width)
            if let positions {
                let p = context.values + positions
                for i in 0..<(length * width) { y[i] += p[i] }
            }
        }
        return output.pointer
    }

    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let first = classToken == nil ? 0 : 1
        for b in 0..<batch {
            let source = dy + b * length * width
            if let classToken {
                for j in 0..<width { context.gradients[classToken + j] += source[j] }
            }
            if let positions {
                for i in 0..<(length * width) { context.gradients[positions + i] += source[i] }
            }
            (gradInput.pointer + b * tokens * width).update(from: source + first * width, count: tokens * width)
        }
        return gradInput.pointer
    }

    func reference(_ x: [Double], batch: Int, parameters p: [Double]) -> [Double] {
        var y: [Double] = []
        for b in 0..<batch {
            var row = classToken.map { Array(p[$0..<($0 + width)]) } ?? []
            row += x[(b * tokens * width)..<((b + 1) * tokens * width)]
            if let positions { for i in row.indices { row[i] += p[positions + i] } }
            y += row
        }
        return y
    }
}
