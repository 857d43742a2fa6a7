import Attention
import Kernels
import Mixers

/// A sub-quadratic token mixer (`Mixers`: linear, based, performer, polynomial, linformer, nystrom, gla,
/// retnet) between the projections of `AttentionLayer`, its backward through the mixer's own backward.
///
/// Shapes (B batch, N tokens, m width, H heads, d head dim): x `[B, N, m]` → fused projection
/// `[B·N, 3·H·d]` → Q, K, V `[B, H, N, d]` → mixer → `[B, N, H·d]` → output projection → y `[B, N, m]`.
/// Linformer's E and F `[k, N]` are parameters here (`{name}.E`, `{name}.F`, entries N(0, 1/k), decayed),
/// so AdamW, clipping and checkpoints cover them.
/// Cost: the projections as in `AttentionLayer` plus the mixer's `flops(n:d:)` per token and head (forward;
/// backward ≈ 2–3×). The mixers allocate their results: a few tensors per layer and step.
final class TokenMixerLayer: SequenceLayer {
    let descriptor: MixerDescription
    let layout: HeadMajorLayout
    let projection: LinearLayer
    let outputProjection: LinearLayer
    /// Offsets of Linformer's E and F in the parameter buffer; nil for the other mixers.
    private let learnedProjections: (keys: Int, values: Int)?
    /// The mixer of every other kind, built once.
    private let fixedMixer: (any TokenMixer)?
    /// The last forward pass: its inputs, mixer and result, for `backward`.
    private var last: (queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, mixer: any TokenMixer,
                       forward: MixerForward)?
    /// `[B·N, H·d]`: the heads' outputs side by side.
    private let mixed: FloatBuffer
    /// `[B·N, 3·H·d]`.
    private let gradProjected: FloatBuffer

    /// Registers `{name}.qkv.*`, `{name}.out.*` and, for Linformer, `{name}.E` and `{name}.F`.
    /// `descriptor` must have passed `makeMixer()` for this N and d (`MixerChoice.validate`).
    init(_ name: String, mixer descriptor: MixerDescription, width: Int, heads: Int, headDimension: Int, length: Int,
         batch: Int, parameters: ParameterStore) {
        self.descriptor = descriptor
        layout = HeadMajorLayout(heads: heads, length: length, headDimension: headDimension)
        let inner = heads * headDimension
        projection = LinearLayer("\(name).qkv", input: width, output: 3 * inner, rows: batch * length, parameters: parameters)
        outputProjection = LinearLayer("\(name).out", input: inner, output: width, rows: batch * length, parameters: parameters)
        if descriptor.kind == .linformer {
            let k = descriptor.features ?? 256
            let std = ParameterInitializer.normal(1 / Float(k).squareRoot())
            learnedProjections = (
                parameters.register("\(name).E", shape: [k, length], decays: true, initializer: std),
                parameters.register("\(name).F", shape: [k, length], decays: true, initializer: std))
            fixedMixer = nil
        } else {
            learnedProjections = nil
            fixedMixer = try! descriptor.makeMixer()
        }
        mixed = FloatBuffer(count: batch * length * inner)
        gradProjected = FloatBuffer(count: batch * length * 3 * inner)
    }

    private var projectedLength: Int { descriptor.features ?? 256 }

    /// The mixer for the current parameter values (Linformer's with E and F copied out of `values`).
    private func currentMixer(_ values: UnsafePointer<Float>) -> any TokenMixer {
        if let fixedMixer { return fixedMixer }
        let (k, n) = (projectedLength, layout.length)
        func matrix(_ offset: Int) -> Tensor<Float> {
            Tensor(shape: [k, n], elements: Array(UnsafeBufferPointer(start: values + offset, count: k * n)))
        }
        let offsets = learnedProjections!
        return LinformerMixer(descriptor: descriptor,
                              projections: LinformerProjections(keys: matrix(offsets.keys), values: matrix(offsets.values)))
    }

    private func headTensor(_ rows: UnsafePointer<Float>, part: Int, parts: Int, batch: Int) -> Tensor<Float> {
        var tensor = Tensor<Float>(zeros: [batch, layout.heads, layout.length, layout.headDimension])
        tensor.withUnsafeMutableBufferPointer { layout.toHeads(rows, part: part, parts: parts, batch: batch, into: $0.baseAddress!) }
        return tensor
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * layout.length
        let projected = projection.forward(x, rows: rows, context)
        let (q, k, v) = (headTensor(projected, part: 0, parts: 3, batch: batch),
                         headTensor(projected, part: 1, parts: 3, batch: batch),
                         headTensor(projected, part: 2, parts: 3, batch: batch))
        let mixer = currentMixer(context.values)
        let result = try! mixer.forward(queries: q, keys: k, values: v)
        last = (q, k, v, mixer, result)
        result.output.withUnsafeBufferPointer { layout.toRows($0.baseAddress!, part: 0, parts: 1, batch: batch, into: mixed.pointer) }
        return outputProjection.forward(mixed.pointer, rows: rows, context)
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        guard let last else { preconditionFailure("backward before forward") }
        let rows = batch * layout.length
        let dMixed = outputProjection.backward(dy, rows: rows, context)!
        let gradients = try! last.mixer.backward(
            queries: last.queries, keys: last.keys, values: last.values, forward: last.forward,
            gradOutput: headTensor(dMixed, part: 0, parts: 1, batch: batch))
        for (part, tensor) in [gradients.queries, gradients.keys, gradients.values].enumerated() {
            tensor.withUnsafeBufferPointer {
                layout.toRows($0.baseAddress!, part: part, parts: 3, batch: batch, into: gradProjected.pointer)
            }
        }
        if let offsets = learnedProjections {
            for (key, offset) in [("E", offsets.keys), ("F", offsets.values)] {
                gradients.parameters[key]!.withUnsafeBufferPointer { g in
                    for i in g.indices { context.gradients[offset + i] += g[i] }
                }
            }
        }
        return projection.backward(gradProjected.pointer, rows: rows, context)!
    }

    func reference(_ x: [Double], batch: Int, parameters p: [Double]) -> [Double] {
        let rows = batch * layout.length
        let projected = projection.reference(x, rows: rows, parameters: p)
        let (q, k, v) = (layout.referenceHeads(projected, part: 0, parts: 3, batch: batch),
                         layout.referenceHeads(projected, part: 1, parts: 3, batch: batch),
                         layout.referenceHeads(projected, part: 2, parts: 3, batch: batch))
        let output: Tensor<Double>
        if let offsets = learnedProjections {
            output = linformerReference(q, k, v, e: Array(p[offsets.keys..<(offsets.keys + projectedLength * layout.length)]),
                                        f: Array(p[offsets.values..<(offsets.values + projectedLength * layout.length)]))
        } else {
            output = try! MixerReference.output(descriptor, queries: q, keys: k, values: v)
        }
        return outputProjection.reference(layout.referenceRows(output, batch: batch), rows: rows, parameters: p)
    }

    /// Linformer in Float64 with E and F `[k, N]` given as values: softmax(Q·(E·K)ᵀ/√d)·(F·V) per head
    /// (the default scale, which `MixerChoice` always uses).
    private func linformerReference(_ q: Tensor<Double>, _ k: Tensor<Double>, _ v: Tensor<Double>, e: [Double], f: [Double])
        -> Tensor<Double>
    {
        let (n, d, r) = (layout.length, layout.headDimension, projectedLength)
        func project(_ p: [Double], _ x: Tensor<Double>) -> Tensor<Double> {
            let xs = x.elements
            return Tensor(shape: [x.shape[0], x.shape[1], r, d]) { i in
                let head = (i[0] * x.shape[1] + i[1]) * n * d
                return (0..<n).reduce(0) { $0 + p[i[2] * n + $1] * xs[head + $1 * d + i[3]] }
            }
        }
        return try! ReferenceAttention.forward(queries: q, keys: project(e, k), values: project(f, v), mask: .none,
                                               scale: 1 / Double(d).squareRoot()).output
    }
}
