import Attention
import Kernels

/// `nystrom` (Xiong et al. 2021; mlpen/Nystromformer `LRA/code/attention_nystrom.py`), non-causal only:
/// with Q, K scaled by √scale each (D^{−1/4} by default, the paper's) and landmarks Q̃, K̃ `[m, D]` the means
/// of m contiguous segments of N/m tokens (m = `landmarks`, default 64, must divide N):
///
///     out = softmax(Q·K̃ᵀ) · pinv(softmax(Q̃·K̃ᵀ)) · softmax(Q̃·Kᵀ)·V,   pinv: `IterativeInverse` (6 steps).
///
/// Fast path per head: Y = softmax(Q̃·Kᵀ)·V and out = softmax(Q·K̃ᵀ)·(Z·Y) are two flash calls (m queries
/// × N keys, N queries × m keys), the m×m work is GEMMs. No depthwise convolution on V (the reference
/// code's optional `conv_kernel_size`). State per head 2·m·D floats; cost per token ≈ 8·m·D FLOPs plus
/// 48·m³/N for the pseudo-inverse.
struct NystromMixer: TokenMixer {
    let descriptor: MixerDescription

    func stateBytes(n: Int, d: Int) -> Int { 2 * descriptor.landmarkCount * d * 4 }

    func flops(n: Int, d: Int) -> Double {
        let m = Double(descriptor.landmarkCount)
        return 8 * m * Double(d) + 48 * m * m * m / Double(n)
    }

    /// The landmark count if it divides N, else the error.
    static func checkedLandmarks(_ m: Int, length n: Int) throws -> Int {
        guard n % m == 0 else {
            throw MixerError.invalidParameter("landmarks \(m) do not divide the sequence length N = \(n)")
        }
        return m
    }

    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) throws -> MixerForward {
        let shape = try checkedShape(queries: queries, keys: keys, values: values)
        let m = try Self.checkedLandmarks(descriptor.landmarkCount, length: shape.length)
        guard shape.headDimension <= 256 else {
            throw MixerError.mismatch("head dimension \(shape.headDimension) is above the supported 256")
        }
        let (g, d) = (shape.flatHeads, shape.headDimension)
        let (qs, ks) = (scaled(queries, shape), scaled(keys, shape))
        let (ql, kl) = (segmentMeans(qs, shape, m), segmentMeans(ks, shape, m))
        let summary = try scaledDotProductAttention(queries: ql, keys: ks, values: values.reshaped(qs.shape), scale: 1)
        var a = landmarkKernel(ql, kl, g, m, d)
        var z = Tensor<Float>(zeros: [g, m, m]), history = Tensor<Float>(zeros: [g, IterativeInverse.iterations, m, m])
        a.withUnsafeMutableBufferPointer { a in
            z.withUnsafeMutableBufferPointer { z in
                history.withUnsafeMutableBufferPointer { h in
                    let (a, z, h) = (a.baseAddress!, z.baseAddress!, h.baseAddress!)
                    parallelFor(g) { head in
                        IterativeInverse(size: m).forward(a + head * m * m, into: z + head * m * m,
                                                          history: h + head * IterativeInverse.iterations * m * m)
                    }
                }
            }
        }
        let w = batched(z, summary.output, g, m, m, d).reshaped([1, g, m, d])
        let result = try scaledDotProductAttention(queries: qs, keys: kl, values: w, scale: 1)
        return MixerForward(output: result.output.reshaped(queries.shape), saved: [ql, kl, a, z, history, w],
                            attention: [summary, result])
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let m = try Self.checkedLandmarks(descriptor.landmarkCount, length: shape.length)
        let (g, d) = (shape.flatHeads, shape.headDimension)
        let (ql, kl, a, z, history, w) = (forward.saved[0], forward.saved[1], forward.saved[2], forward.saved[3],
                                          forward.saved[4], forward.saved[5])
        let (summary, result) = (forward.attention[0], forward.attention[1])
        let (qs, ks) = (scaled(queries, shape), scaled(keys, shape))
        let outer = try scaledDotProductAttentionBackward(
            queries: qs, keys: kl, values: w, forward: result, gradOutput: gradOutput.reshaped(qs.shape), scale: 1)
        let dz = batched(outer.values, summary.output, g, m, d, m, transposeB: true)
        let dy = batched(z, outer.values, g, m, m, d, transposeA: true).reshaped([1, g, m, d])
        let inner = try scaledDotProductAttentionBackward(
            queries: ql, keys: ks, values: values.reshaped(qs.shape), forward: summary, gradOutput: dy, scale: 1)
        // dA through the pseudo-inverse, then dS = A ⊙ (dA − rowsum(dA ⊙ A)) for A = softmax(S), S = Q̃·K̃ᵀ.
        var ds = Tensor<Float>(zeros: [g, m, m])
        a.withUnsafeBufferPointer { a in
            history.withUnsafeBufferPointer { h in
                dz.withUnsafeBufferPointer { dz in
                    ds.withUnsafeMutableBufferPointer { ds in
                        let (a, h, dz, ds) = (a.baseAddress!, h.baseAddress!, dz.baseAddress!, ds.baseAddress!)
                        parallelFor(g) { head in
                            let (ah, dsh) = (a + head * m * m, ds + head * m * m)
                            IterativeInverse(size: m).backward(ah, history: h + head * IterativeInverse.iterations * m * m,
                                                               gradZ: dz + head * m * m, into: dsh)
                            for i in 0..<m {
                                let inner = dotProduct(dsh + i * m, ah + i * m, count: m)
                                zipLanes(dsh + i * m, ah + i * m, into: dsh + i * m, count: m) {
                                    ($0 - MixerVector(repeating: inner)) * $1
                                }
                            }
                        }
                    }
                }
            }
        }
        var dql = inner.queries, dkl = outer.keys
        accumulate(&dql, batched(ds, kl, g, m, m, d))
        accumulate(&dkl, batched(ds, ql, g, m, m, d, transposeA: true))
        let dq = segmentMeansBackward(outer.queries, dql, shape, m)
        let dk = segmentMeansBackward(inner.keys, dkl, shape, m)
        return MixerGradients(queries: scaled(dq, shape).reshaped(queries.shape), keys: scaled(dk, shape).reshaped(keys.shape),
                              values: inner.values.reshaped(values.shape))
    }

    /// √scale·x as `[1, B·H, N, D]`.
    func scaled(_ x: Tensor<Float>, _ shape: MixerShape) -> Tensor<Float> {
        let root = MixerVector(repeating: descriptor.scale(headDimension: shape.headDimension).squareRoot())
        var out = x.reshaped([1, shape.flatHeads, shape.length, shape.headDimension])
        out.withUnsafeMutableBufferPointer { p in
            zipLanes(p.baseAddress!, p.baseAddress!, into: p.baseAddress!, count: p.count) { v, _ in v * root }
        }
        return out
    }

    /// Means of m contiguous segments: `[1, G, N, D]` → `[1, G, m, D]`.
    func segmentMeans(_ x: Tensor<Float>, _ shape: MixerShape, _ m: Int) -> Tensor<Float> {
        let (g, n, d) = (shape.flatHeads, shape.length, shape.headDimension)
        let segment = n / m
        var out = Tensor<Float>(zeros: [1, g, m, d])
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                for row in 0..<(g * n) {
                    let target = (row / n) * m + (row % n) / segment
                    addScaled(x.baseAddress! + row * d, 1 / Float(segment), into: out.baseAddress! + target * d, count: d)
                }
            }
        }
        return out
    }

    /// `direct` `[1, G, N, D]` plus each landmark's gradient spread evenly over its segment.
    func segmentMeansBackward(_ direct: Tensor<Float>, _ landmarks: Tensor<Float>, _ shape: MixerShape, _ m: Int) -> Tensor<Float> {
        let (n, d) = (shape.length, shape.headDimension)
        let segment = n / m
        var out = direct
        landmarks.withUnsafeBufferPointer { l in
            out.withUnsafeMutableBufferPointer { out in
                for row in 0..<(shape.flatHeads * n) {
                    let source = (row / n) * m + (row % n) / segment
                    addScaled(l.baseAddress! + source * d, 1 / Float(segment), into: out.baseAddress! + row * d, count: d)
                }
            }
        }
        return out
    }

    /// softmax(Q̃·K̃ᵀ) per head `[G, m, m]`.
    func landmarkKernel(_ ql: Tensor<Float>, _ kl: Tensor<Float>, _ g: Int, _ m: Int, _ d: Int) -> Tensor<Float> {
        var a = batched(ql, kl, g, m, d, m, transposeB: true)
        a.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: g * m, columns: m, rowStride: m) }
        return a
    }

    /// op(X_h)·op(Y_h) per head, op(X) `[r, k]`, op(Y) `[k, c]` → `[G, r, c]`.
    func batched(_ x: Tensor<Float>, _ y: Tensor<Float>, _ g: Int, _ r: Int, _ k: Int, _ c: Int,
                 transposeA: Bool = false, transposeB: Bool = false) -> Tensor<Float> {
        var out = Tensor<Float>(zeros: [g, r, c])
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { out in
                    batchedGEMM(count: g, transposeA: transposeA, transposeB: transposeB, m: r, n: c, k: k,
                                a: x.baseAddress!, lda: transposeA ? r : k, strideA: r * k,
                                b: y.baseAddress!, ldb: transposeB ? k : c, strideB: k * c,
                                c: out.baseAddress!, ldc: c, strideC: r * c)
                }
            }
        }
        return out
    }

    func accumulate(_ x: inout Tensor<Float>, _ y: Tensor<Float>) {
        y.withUnsafeBufferPointer { y in
            x.withUnsafeMutableBufferPointer { x in
                zipLanes(x.baseAddress!, y.baseAddress!, into: x.baseAddress!, count: x.count) { $0 + $1 }
            }
        }
    }
}
