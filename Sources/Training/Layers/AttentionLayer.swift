import Attention
import Kernels

/// Multi-head exact softmax attention with input and output projections, through the path
/// `AttentionPath.fastest` picks for the shape: `ShortSequenceAttention` (N ≤ 64, without the flash tiles'
/// padding), `MaterializedAttention` (N ≤ 256, GEMMs with P kept) or the flash kernels.
///
/// Shapes (B batch, N tokens, m width, H heads, d head dim): x `[B, N, m]` → fused projection
/// `[B·N, 3·H·d]` (W `[m, 3Hd]`: queries, keys, values, each head-major) → Q, K, V `[B, H, N, d]` →
/// `scaledDotProductAttention` (scale 1/√d, the model's mask) → `[B, N, H·d]` → output projection
/// (`[H·d, m]`) → y `[B, N, m]`.
/// Cost: forward 2·B·N·m·4Hd (projections) + 4·B·H·N²·d (attention, ≈ half when causal) FLOPs;
/// backward ≈ 2× the projections + 2.5× the attention. The fused paths read the projection in place; the
/// flash path copies Q, K, V, dO into head-major tensors and back, and its forward returns fresh tensors
/// (the one allocation per layer and step on that path); its backward writes into the gradients it kept.
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
    /// dQ, dK, dV of the last backward, written over by the next one with the same batch.
    private var gradients: AttentionGradients?
    /// The short or materialised path; nil on the flash path.
    private let fused: (any FusedProjectionAttention)?
    /// `[B·N, H·d]`: the heads' outputs side by side.
    private let attended: FloatBuffer
    /// `[B·N, 3·H·d]`.
    private let gradProjected: FloatBuffer

    /// Registers `{name}.qkv.*` and `{name}.out.*`. `path` overrides `AttentionPath.fastest` (tests).
    init(_ name: String, width: Int, heads: Int, headDimension: Int, length: Int, mask: AttentionMask, batch: Int,
         parameters: ParameterStore, path: AttentionPath? = nil) {
        self.heads = heads
        self.headDimension = headDimension
        self.length = length
        self.mask = mask
        let inner = heads * headDimension
        projection = LinearLayer("\(name).qkv", input: width, output: 3 * inner, rows: batch * length, parameters: parameters)
        outputProjection = LinearLayer("\(name).out", input: inner, output: width, rows: batch * length, parameters: parameters)
        let scale = 1 / Float(headDimension).squareRoot()
        switch path ?? AttentionPath.fastest(length: length, heads: heads, batch: batch, mask: mask) {
        case .short:
            fused = ShortSequenceAttention(heads: heads, headDimension: headDimension, length: length, mask: mask,
                                           scale: scale, batch: batch)
        case .materialized:
            fused = MaterializedAttention(heads: heads, headDimension: headDimension, length: length, mask: mask,
                                          scale: scale, batch: batch)
        case .flash:
            fused = nil
        }
        let shape = fused == nil ? [batch, heads, length, headDimension] : [0]
        queries = Tensor(zeros: shape)
        keys = Tensor(zeros: shape)
        values = Tensor(zeros: shape)
        gradOutput = Tensor(zeros: shape)
        attended = FloatBuffer(count: batch * length * inner)
        gradProjected = FloatBuffer(count: batch * length * 3 * inner)
    }

    private var scale: Float { 1 / Float(headDimension).squareRoot() }
    private var layout: HeadMajorLayout { HeadMajorLayout(heads: heads, length: length, headDimension: headDimension) }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let projected = projection.forward(x, rows: batch * length, context)
        if let fused {
            fused.forward(projected, output: attended.pointer, batch: batch)
            return outputProjection.forward(attended.pointer, rows: batch * length, context)
        }
        let n = length
        queries.withUnsafeMutableBufferPointer { layout.toHeads(projected, part: 0, parts: 3, batch: batch, into: $0.baseAddress!) }
        keys.withUnsafeMutableBufferPointer { layout.toHeads(projected, part: 1, parts: 3, batch: batch, into: $0.baseAddress!) }
        values.withUnsafeMutableBufferPointer { layout.toHeads(projected, part: 2, parts: 3, batch: batch, into: $0.baseAddress!) }
        let forward = try! scaledDotProductAttention(
            queries: queries.rows(0..<batch), keys: keys.rows(0..<batch), values: values.rows(0..<batch), mask: mask,
            scale: scale, threads: context.threads)
        result = forward
        forward.output.withUnsafeBufferPointer { o in
            layout.toRows(o.baseAddress!, part: 0, parts: 1, batch: batch, into: attended.pointer)
        }
        return outputProjection.forward(attended.pointer, rows: batch * n, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let n = length
        let dAttended = outputProjection.backward(dy, rows: batch * n, context)!
        if let fused {
            fused.backward(projection.output.pointer, gradOutput: dAttended, gradProjected: gradProjected.pointer, batch: batch)
            return projection.backward(gradProjected.pointer, rows: batch * n, context)!
        }
        guard let result else { preconditionFailure("backward before forward") }
        gradOutput.withUnsafeMutableBufferPointer { g in
            layout.toHeads(dAttended, part: 0, parts: 1, batch: batch, into: g.baseAddress!)
        }
        let (q, k, v, dO) = (queries.rows(0..<batch), keys.rows(0..<batch), values.rows(0..<batch), gradOutput.rows(0..<batch))
        if gradients?.queries.shape == q.shape {
            try! scaledDotProductAttentionBackward(queries: q, keys: k, values: v, forward: result, gradOutput: dO, mask: mask,
                                                   scale: scale, threads: context.threads, into: &gradients!)
        } else {
            gradients = try! scaledDotProductAttentionBackward(queries: q, keys: k, values: v, forward: result, gradOutput: dO,
                                                               mask: mask, scale: scale, threads: context.threads)
        }
        for (part, tensor) in [gradients!.queries, gradients!.keys, gradients!.values].enumerated() {
            tensor.withUnsafeBufferPointer { source in
                layout.toRows(source.baseAddress!, part: part, parts: 3, batch: batch, into: gradProjected.pointer)
            }
        }
        return projection.backward(gradProjected.pointer, rows: batch * n, context)!
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        let (n, d) = (length, headDimension)
        let projected = projection.reference(x, rows: batch * n, parameters: parameters)
        func part(_ index: Int) -> Tensor<Double> { layout.referenceHeads(projected, part: index, parts: 3, batch: batch) }
        let output = try! ReferenceAttention.forward(
            queries: part(0), keys: part(1), values: part(2), mask: mask, scale: 1 / Double(d).squareRoot()).output
        let merged = layout.referenceRows(output, batch: batch)
        return outputProjection.reference(merged, rows: batch * n, parameters: parameters)
    }
}
