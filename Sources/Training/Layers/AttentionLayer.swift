import Attention
import Kernels

/// Multi-head exact softmax attention with input and output projections: through the flash kernels,
/// or for N ≤ 64 through `ShortSequenceAttention` (the same function, without the flash tiles' padding).
///
/// Shapes (B batch, N tokens, m width, H heads, d head dim): x `[B, N, m]` → fused projection
/// `[B·N, 3·H·d]` (W `[m, 3Hd]`: queries, keys, values, each head-major) → Q, K, V `[B, H, N, d]` →
/// `scaledDotProductAttention` (scale 1/√d, the model's mask) → `[B, N, H·d]` → output projection
/// (`[H·d, m]`) → y `[B, N, m]`.
/// Cost: forward 2·B·N·m·4Hd (projections) + 4·B·H·N²·d (attention, ≈ half when causal) FLOPs;
/// backward ≈ 2× the projections + 2.5× the attention. The flash calls return fresh tensors (the
/// public API allocates its results): the one allocation per layer and step on that path.
final class AttentionLayer: SequenceLayer {
    let heads: Int
    let headDimension: Int
    let length: Int
    let mask: AttentionMask
    let projection: LinearLayer
    let outputProjection: LinearLayer
    private var queries: Tensor<Float>
    private var keys: Tensor<Float>
    private var values: Tensor<Float>
    private var gradOutput: Tensor<Float>
    private var result: AttentionResult?
    /// The path for N ≤ 64; nil for longer sequences.
    private let short: ShortSequenceAttention?
    /// `[B·N, H·d]`: the heads' outputs side by side.
    private let attended: FloatBuffer
    /// `[B·N, 3·H·d]`.
    private let gradProjected: FloatBuffer

    /// Registers `{name}.qkv.*` and `{name}.out.*`.
    init(_ name: String, width: Int, heads: Int, headDimension: Int, length: Int, mask: AttentionMask, batch: Int,
         parameters: ParameterStore) {
        self.heads = heads
        self.headDimension = headDimension
        self.length = length
        self.mask = mask
        let inner = heads * headDimension
        projection = LinearLayer("\(name).qkv", input: width, output: 3 * inner, rows: batch * length, parameters: parameters)
        outputProjection = LinearLayer("\(name).out", input: inner, output: width, rows: batch * length, parameters: parameters)
        short = length <= ShortSequenceAttention.maximumLength
            ? ShortSequenceAttention(heads: heads, headDimension: headDimension, length: length, mask: mask,
                                     scale: 1 / Float(headDimension).squareRoot(), batch: batch)
            : nil
        let shape = short == nil ? [batch, heads, length, headDimension] : [0]
        queries = Tensor(zeros: shape)
        keys = Tensor(zeros: shape)
        values = Tensor(zeros: shape)
        gradOutput = Tensor(zeros: shape)
        attended = FloatBuffer(count: batch * length * inner)
        gradProjected = FloatBuffer(count: batch * length * 3 * inner)
    }

    private var scale: Float { 1 / Float(headDimension).squareRoot() }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let projected = projection.forward(x, rows: batch * length, context)
        if let short {
            short.forward(projected, output: attended.pointer, batch: batch)
            return outputProjection.forward(attended.pointer, rows: batch * length, context)
        }
        let (h, n, d) = (heads, length, headDimension)
        queries.withUnsafeMutableBufferPointer { q in
            keys.withUnsafeMutableBufferPointer { k in
                values.withUnsafeMutableBufferPointer { v in
                    for b in 0..<batch {
                        for i in 0..<n {
                            let row = projected + (b * n + i) * 3 * h * d
                            for head in 0..<h {
                                let target = ((b * h + head) * n + i) * d
                                (q.baseAddress! + target).update(from: row + head * d, count: d)
                                (k.baseAddress! + target).update(from: row + (h + head) * d, count: d)
                                (v.baseAddress! + target).update(from: row + (2 * h + head) * d, count: d)
                            }
                        }
                    }
                }
            }
        }
        let forward = try! scaledDotProductAttention(
            queries: queries.rows(0..<batch), keys: keys.rows(0..<batch), values: values.rows(0..<batch), mask: mask,
            scale: scale, threads: context.threads)
        result = forward
        forward.output.withUnsafeBufferPointer { o in
            for b in 0..<batch {
                for head in 0..<h {
                    for i in 0..<n {
                        (attended.pointer + (b * n + i) * h * d + head * d)
                            .update(from: o.baseAddress! + ((b * h + head) * n + i) * d, count: d)
                    }
                }
            }
        }
        return outputProjection.forward(attended.pointer, rows: batch * n, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let (h, n, d) = (heads, length, headDimension)
        let dAttended = outputProjection.backward(dy, rows: batch * n, context)!
        if let short {
            short.backward(projection.output.pointer, gradOutput: dAttended, gradProjected: gradProjected.pointer, batch: batch)
            return projection.backward(gradProjected.pointer, rows: batch * n, context)!
        }
        guard let result else { preconditionFailure("backward before forward") }
        gradOutput.withUnsafeMutableBufferPointer { g in
            for b in 0..<batch {
                for head in 0..<h {
                    for i in 0..<n {
                        (g.baseAddress! + ((b * h + head) * n + i) * d)
                            .update(from: dAttended + (b * n + i) * h * d + head * d, count: d)
                    }
                }
            }
        }
        let gradients = try! scaledDotProductAttentionBackward(
            queries: queries.rows(0..<batch), keys: keys.rows(0..<batch), values: values.rows(0..<batch), forward: result,
            gradOutput: gradOutput.rows(0..<batch), mask: mask, scale: scale, threads: context.threads)
        for (part, tensor) in [gradients.queries, gradients.keys, gradients.values].enumerated() {
            tensor.withUnsafeBufferPointer { source in
                for b in 0..<batch {
                    for head in 0..<h {
                        for i in 0..<n {
                            (gradProjected.pointer + (b * n + i) * 3 * h * d + (part * h + head) * d)
                                .update(from: source.baseAddress! + ((b * h + head) * n + i) * d, count: d)
                        }
                    }
                }
            }
        }
        return projection.backward(gradProjected.pointer, rows: batch * n, context)!
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        let (h, n, d) = (heads, length, headDimension)
        let projected = projection.reference(x, rows: batch * n, parameters: parameters)
        func part(_ index: Int) -> Tensor<Double> {
            Tensor(shape: [batch, h, n, d]) { i in projected[(i[0] * n + i[2]) * 3 * h * d + (index * h + i[1]) * d + i[3]] }
        }
        let output = try! ReferenceAttention.forward(
            queries: part(0), keys: part(1), values: part(2), mask: mask, scale: 1 / Double(d).squareRoot()).output
        let o = output.elements
        var merged = [Double](repeating: 0, count: batch * n * h * d)
        for b in 0..<batch {
            for head in 0..<h {
                for i in 0..<n {
                    for c in 0..<d { merged[(b * n + i) * h * d + head * d + c] = o[((b * h + head) * n + i) * d + c] }
                }
            }
        }
        return outputProjection.reference(merged, rows: batch * n, parameters: parameters)
    }
}
