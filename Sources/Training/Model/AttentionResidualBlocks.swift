import Foundation

/// The block stack with Attention Residuals (SCIENCE.md §5) instead of the residual stream.
///
/// Sub-layers l = 1…L (each block's mixer and MLP; f_l = pre-norm + sub-layer, no residual add) produce
/// v_l = f_l(h_l); v_0 = x, the stack's input. The sources are s_0 = v_0 and, for l ≥ 1,
/// s_l = v_l + s_{l−1} inside a block of S sub-layers (s_l = v_l at a block's first sub-layer), so s_l
/// is the running partial sum of its block and the block's last s_l its block sum. Consumer c = 2…L+1
/// (sub-layer c, or the stack's output for c = L+1) reads h_c = Σ_{i ∈ I_c} α_{i→c} s_i with
/// α = softmax_i(w_cᵀ RMSNorm(s_i)) per token position, I_c = {0} ∪ {completed block ends < c} ∪ {c − 1 if
/// it ends no block}: full mode is S = 1 (every earlier output); h_1 = x. w_c `[m]` starts at zero
/// (uniform mixing). The keys' RMSNorm has no gain: RMSNorm(s) = s/√(mean(s²) + ε), ε = 1e−5.
///
/// Shapes: x, y `[B, N, m]`; sources, mixed inputs and their gradients `[L+1][B, N, m]`; weights α
/// `[L][B·N, |I_c|]`. Memory O(L·B·N·m). Cost per token beyond the sub-layers: forward ≈ 3·|I_c|·m flops
/// per consumer, backward ≈ 8·|I_c|·m, so O(L²·m) in full mode and O(L·(L/S + 1)·m) in block mode.
final class AttentionResidualBlocks: BlockStack {
    /// f_1…f_L: pre-norm units without their residual add.
    let units: [ResidualUnit]
    let mode: AttentionResidualsDescription
    let width: Int
    let length: Int
    /// Offsets of w_c for c = 2…L+1, at index c − 2.
    let queries: [Int]
    /// s_1…s_L at index l − 1 (s_0 is `input`).
    let sources: [FloatBuffer]
    /// 1/√(mean(s_i²) + ε) per row, `[L+1][B·N]`.
    let inverseRMS: [FloatBuffer]
    /// h_c for c = 2…L+1 at index c − 2.
    let mixed: [FloatBuffer]
    /// α_{i→c} for c = 2…L+1 at index c − 2, `[B·N, |I_c|]`.
    let weights: [FloatBuffer]
    /// ∂loss/∂s_i, `[L+1][B·N·m]`; index 0 is dx.
    private let gradSources: [FloatBuffer]
    private(set) var input: UnsafeMutablePointer<Float>?
    private(set) var lastBatch = 0

    static func sublayerCount(_ model: ModelDescription) -> Int { model.layers * (model.mlpHidden == nil ? 1 : 2) }

    /// Registers the blocks' `blocks.{b}.mixer.*`, `blocks.{b}.mlp.*` and `attention_residuals.{c}.query`
    /// (`[m]`, zero, no weight decay) for c = 2…L+1.
    init(model: ModelDescription, mode: AttentionResidualsDescription, batch: Int, parameters: ParameterStore) {
        var plain = model
        plain.residual = false
        units = (0..<model.layers).flatMap { layer in
            SequentialBlocks.block(layer, model: plain, batch: batch, parameters: parameters)
        }
        self.mode = mode
        width = model.width
        length = model.sequenceLength
        let count = units.count, rows = batch * length, size = rows * model.width
        queries = (2...(count + 1)).map { c in
            parameters.register("attention_residuals.\(c).query", shape: [model.width], decays: false,
                                initializer: .constant(0))
        }
        sources = (1...count).map { _ in FloatBuffer(count: size) }
        inverseRMS = (0...count).map { _ in FloatBuffer(count: rows) }
        mixed = (2...(count + 1)).map { _ in FloatBuffer(count: size) }
        weights = (2...(count + 1)).map { c in FloatBuffer(count: rows * Self.sourceIndices(c, blockSize: mode.blockSize).count) }
        gradSources = (0...count).map { _ in FloatBuffer(count: size) }
    }

    /// I_c: the sources consumer c reads, ascending.
    static func sourceIndices(_ c: Int, blockSize s: Int) -> [Int] {
        let completed = stride(from: s, to: c, by: s).map { $0 }
        return [0] + completed + (c - 1 >= 1 && (c - 1) % s != 0 ? [c - 1] : [])
    }

    private func indices(_ c: Int) -> [Int] { Self.sourceIndices(c, blockSize: mode.blockSize) }

    private func source(_ i: Int) -> UnsafeMutablePointer<Float> { i == 0 ? input! : sources[i - 1].pointer }

    /// Whether s_l continues the partial sum s_{l−1} (l is not its block's first sub-layer).
    func continuesBlock(_ l: Int) -> Bool { l >= 2 && (l - 1) % mode.blockSize != 0 }

    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        input = x
        lastBatch = batch
        let size = batch * length * width
        measureInverseRMS(0, batch: batch)
        var h = x
        for l in 1...units.count {
            let v = units[l - 1].forward(h, batch: batch, context)
            let s = sources[l - 1].pointer
            if continuesBlock(l) {
                let previous = sources[l - 2].pointer
                for j in 0..<size { s[j] = v[j] + previous[j] }
            } else {
                s.update(from: v, count: size)
            }
            measureInverseRMS(l, batch: batch)
            h = mix(l + 1, batch: batch, context)
        }
        return h
    }

    /// 1/√(mean(s_i²) + ε) for every row of s_i. O(B·N·m).
    private func measureInverseRMS(_ i: Int, batch: Int) {
        let s = source(i), r = inverseRMS[i].pointer
        for row in 0..<(batch * length) {
            var squares: Float = 0
            for j in 0..<width { squares += s[row * width + j] * s[row * width + j] }
            r[row] = 1 / (squares / Float(width) + NormLayer.epsilon).squareRoot()
        }
    }

    /// h_c: softmax over the sources' scores w_cᵀ RMSNorm(s_i), per row; keeps α. O(B·N·|I_c|·m).
    private func mix(_ c: Int, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let sourceIndices = indices(c), k = sourceIndices.count
        let w = context.values + queries[c - 2], h = mixed[c - 2].pointer, alpha = weights[c - 2].pointer
        let pointers = sourceIndices.map(source), scales = sourceIndices.map { inverseRMS[$0].pointer }
        for row in 0..<(batch * length) {
            let a = alpha + row * k, offset = row * width
            var largest = -Float.infinity
            for t in 0..<k {
                var dot: Float = 0
                for j in 0..<width { dot += w[j] * pointers[t][offset + j] }
                a[t] = dot * scales[t][row]
                largest = max(largest, a[t])
            }
            var total: Float = 0
            for t in 0..<k { a[t] = Foundation.exp(a[t] - largest); total += a[t] }
            for t in 0..<k { a[t] /= total }
            for j in 0..<width { h[offset + j] = 0 }
            for t in 0..<k {
                for j in 0..<width { h[offset + j] += a[t] * pointers[t][offset + j] }
            }
        }
        return h
    }

    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let size = batch * length * width
        for buffer in gradSources { buffer.pointer.update(repeating: 0, count: size) }
        mixBackward(units.count + 1, dh: dy, batch: batch, context)
        for l in stride(from: units.count, through: 1, by: -1) {
            let ds = gradSources[l].pointer
            let dh = units[l - 1].backward(ds, batch: batch, context)
            if continuesBlock(l) {
                let previous = gradSources[l - 1].pointer
                for j in 0..<size { previous[j] += ds[j] }
            }
            if l >= 2 {
                mixBackward(l, dh: dh, batch: batch, context)
            } else {
                let dx = gradSources[0].pointer
                for j in 0..<size { dx[j] += dh[j] }
            }
        }
        return gradSources[0].pointer
    }

    /// Adds consumer c's share to ∂loss/∂s_i (through α and the keys' RMSNorm) and to ∂loss/∂w_c.
    /// With dα_t = dhᵀs_t, dz_t = α_t(dα_t − Σ_u α_u dα_u), key_t = r_t·s_t, z_t = w_cᵀkey_t:
    /// ds_t += α_t·dh + dz_t·r_t·(w_c − key_t·z_t/m), dw_c += dz_t·key_t. O(B·N·|I_c|·m).
    private func mixBackward(_ c: Int, dh: UnsafePointer<Float>, batch: Int, _ context: StepContext) {
        let sourceIndices = indices(c), k = sourceIndices.count
        let w = context.values + queries[c - 2], dw = context.gradients + queries[c - 2], alpha = weights[c - 2].pointer
        let pointers = sourceIndices.map(source), scales = sourceIndices.map { inverseRMS[$0].pointer }
        let grads = sourceIndices.map { gradSources[$0].pointer }
        var dAlpha = [Float](repeating: 0, count: k)
        for row in 0..<(batch * length) {
            let a = alpha + row * k, offset = row * width
            var mean: Float = 0
            for t in 0..<k {
                var dot: Float = 0
                for j in 0..<width { dot += dh[offset + j] * pointers[t][offset + j] }
                dAlpha[t] = dot
                mean += a[t] * dot
            }
            for t in 0..<k {
                let s = pointers[t] + offset, ds = grads[t] + offset, r = scales[t][row]
                let dz = a[t] * (dAlpha[t] - mean)
                var score: Float = 0
                for j in 0..<width { score += w[j] * s[j] }
                let keyScale = r * r * score / Float(width)
                for j in 0..<width {
                    ds[j] += a[t] * dh[offset + j] + dz * r * (w[j] - s[j] * keyScale)
                    dw[j] += dz * r * s[j]
                }
            }
        }
    }

    /// The definition, recomputed in Float64: v_l = f_l(h_l), each consumer's sources summed afresh from
    /// the v's (embedding, completed block sums, the partial sum), α by a plain softmax.
    func reference(_ x: [Double], batch: Int, parameters p: [Double]) -> [Double] {
        let rows = batch * length, s = mode.blockSize
        var outputs = [x]
        func sum(_ range: ClosedRange<Int>) -> [Double] {
            range.dropFirst().reduce(outputs[range.lowerBound]) { total, i in zip(total, outputs[i]).map(+) }
        }
        func consumerInput(_ c: Int) -> [Double] {
            let blocks = (c - 1) / s
            var candidates = [x] + (0..<blocks).map { sum(($0 * s + 1)...($0 * s + s)) }
            if blocks * s + 1 <= c - 1 { candidates.append(sum((blocks * s + 1)...(c - 1))) }
            let w = p[queries[c - 2]..<(queries[c - 2] + width)]
            var h = [Double](repeating: 0, count: x.count)
            for row in 0..<rows {
                let span = (row * width)..<((row + 1) * width)
                let scores = candidates.map { v -> Double in
                    let rms = (v[span].reduce(0) { $0 + $1 * $1 } / Double(width) + Double(NormLayer.epsilon)).squareRoot()
                    return zip(w, v[span]).reduce(0) { $0 + $1.0 * $1.1 } / rms
                }
                let top = scores.max()!
                let exps = scores.map { Foundation.exp($0 - top) }, total = exps.reduce(0, +)
                for (v, e) in zip(candidates, exps) {
                    for j in span { h[j] += e / total * v[j] }
                }
            }
            return h
        }
        for l in 1...units.count {
            outputs.append(units[l - 1].reference(l == 1 ? x : consumerInput(l), batch: batch, parameters: p))
        }
        return consumerInput(units.count + 1)
    }
}
