import Kernels

/// `nystrom` (Xiong et al. 2021; mlpen/Nystromformer `LRA/code/attention_nystrom.py`), non-causal only:
/// with Q, K scaled by √scale each (D^{−1/4} by default, the paper's) and landmarks Q̃, K̃ `[m, D]` the means
/// of m contiguous segments of N/m tokens (m = `landmarks`, default 64, must divide N):
///
///     out = softmax(Q·K̃ᵀ) · pinv(softmax(Q̃·K̃ᵀ)) · softmax(Q̃·Kᵀ)·V,   pinv: `IterativeInverse` (6 steps).
///
/// Fast path per head, as PyTorch does it: the two N-long kernels K₁ = softmax(Q·K̃ᵀ) `[N, m]` and
/// K₃ = softmax(Q̃·Kᵀ) `[m, N]` are formed explicitly (GEMMs with the scale as α, then `ProbabilityRows`),
/// Y = K₃·V, W = pinv(A)·Y, out = K₁·W; the backward pass reuses K₁ and K₃, so it is eight N·m·D GEMMs
/// and two softmax backwards. No depthwise convolution on V (the reference code's optional
/// `conv_kernel_size`). State per head 2·m·D floats; saved for the backward pass 2·N·m + O(m·(m + D)) floats
/// per head. Cost per token ≈ 8·m·D FLOPs plus 48·m³/N for the pseudo-inverse (backward ≈ 2×).
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
        let (g, n, d) = (shape.flatHeads, shape.length, shape.headDimension)
        let s = descriptor.scale(headDimension: d), heads = HeadProducts(heads: g)
        let (lq, lk) = (segmentMeans(queries, shape, m), segmentMeans(keys, shape, m))  // [G, m, D], unscaled
        var k1 = heads.product(queries, lk, rows: n, depth: d, columns: m, alpha: s, transposeY: true)  // [G, N, m]
        var a = heads.product(lq, lk, rows: m, depth: d, columns: m, alpha: s, transposeY: true)  // [G, m, m]
        var k3 = heads.product(lq, keys, rows: m, depth: d, columns: n, alpha: s, transposeY: true)  // [G, m, N]
        softmax(&k1, rows: g * n, columns: m)
        softmax(&a, rows: g * m, columns: m)
        softmax(&k3, rows: g * m, columns: n)
        let y = heads.product(k3, values, rows: m, depth: n, columns: d)  // [G, m, D]
        let (z, history) = pseudoInverse(a, g, m)
        let w = heads.product(z, y, rows: m, depth: m, columns: d)  // [G, m, D]
        let output = heads.product(k1, w, rows: n, depth: m, columns: d)  // [G, N, D]
        return MixerForward(output: output.reshaped(queries.shape), saved: [lq, lk, a, z, history, y, w, k1, k3])
    }

    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>
    ) throws -> MixerGradients {
        let shape = try checkedShape(queries: queries, keys: keys, values: values, gradOutput: gradOutput)
        let m = try Self.checkedLandmarks(descriptor.landmarkCount, length: shape.length)
        let (g, n, d) = (shape.flatHeads, shape.length, shape.headDimension)
        let s = descriptor.scale(headDimension: d), heads = HeadProducts(heads: g)
        let saved = forward.saved
        let (lq, lk, a, z, history, y, w, k1, k3) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5],
                                                     saved[6], saved[7], saved[8])
        // out = K₁·W: dW = K₁ᵀ·dO, dS₁ from dK₁ = dO·Wᵀ; S₁ = s·Q·K̃ᵀ.
        let dw = heads.product(k1, gradOutput, rows: m, depth: n, columns: d, transposeX: true)
        var ds1 = heads.product(gradOutput, w, rows: n, depth: d, columns: m, transposeY: true)
        softmaxBackward(k1, &ds1, rows: g * n, columns: m)
        var dq = heads.product(ds1, lk, rows: n, depth: m, columns: d, alpha: s)
        var dlk = heads.product(ds1, queries, rows: m, depth: n, columns: d, alpha: s, transposeX: true)
        // W = Z·Y, Z = pinv(A), A = softmax(s·Q̃·K̃ᵀ).
        let dz = heads.product(dw, y, rows: m, depth: d, columns: m, transposeY: true)
        let dy = heads.product(z, dw, rows: m, depth: m, columns: d, transposeX: true)
        let dsa = pseudoInverseBackward(a, history, dz, g, m)
        var dlq = heads.product(dsa, lk, rows: m, depth: m, columns: d, alpha: s)
        heads.add(dsa, lq, rows: m, depth: m, columns: d, alpha: s, transposeX: true, into: &dlk)
        // Y = K₃·V: dV = K₃ᵀ·dY, dS₃ from dK₃ = dY·Vᵀ; S₃ = s·Q̃·Kᵀ.
        let dv = heads.product(heads.transposed(k3, rows: m, columns: n), dy, rows: n, depth: m, columns: d)
        var ds3 = heads.product(dy, values, rows: m, depth: d, columns: n, transposeY: true)
        softmaxBackward(k3, &ds3, rows: g * m, columns: n)
        heads.add(ds3, keys, rows: m, depth: n, columns: d, alpha: s, into: &dlq)
        var dk = heads.product(heads.transposed(ds3, rows: m, columns: n), lq, rows: n, depth: m, columns: d, alpha: s)
        segmentMeansBackward(dlq, into: &dq, shape, m)
        segmentMeansBackward(dlk, into: &dk, shape, m)
        return MixerGradients(queries: dq.reshaped(queries.shape), keys: dk.reshaped(keys.shape),
                              values: dv.reshaped(values.shape))
    }

    /// Z ≈ pinv(A_h) per head `[G, m, m]` and the iterates Z₀ … Z₅ `[G, 6, m, m]` for the backward pass.
    func pseudoInverse(_ a: Tensor<Float>, _ g: Int, _ m: Int) -> (Tensor<Float>, Tensor<Float>) {
        var z = Tensor<Float>(zeros: [g, m, m]), history = Tensor<Float>(zeros: [g, IterativeInverse.iterations, m, m])
        a.withUnsafeBufferPointer { a in
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
        return (z, history)
    }

    /// dS `[G, m, m]` for S = s·Q̃·K̃ᵀ from dZ, through the pseudo-inverse and A = softmax(S).
    func pseudoInverseBackward(_ a: Tensor<Float>, _ history: Tensor<Float>, _ dz: Tensor<Float>, _ g: Int, _ m: Int)
        -> Tensor<Float>
    {
        var ds = Tensor<Float>(zeros: [g, m, m])
        a.withUnsafeBufferPointer { a in
            history.withUnsafeBufferPointer { h in
                dz.withUnsafeBufferPointer { dz in
                    ds.withUnsafeMutableBufferPointer { ds in
                        let (a, h, dz, ds) = (a.baseAddress!, h.baseAddress!, dz.baseAddress!, ds.baseAddress!)
                        parallelFor(g) { head in
                            IterativeInverse(size: m).backward(a + head * m * m, history: h + head * IterativeInverse.iterations * m * m,
                                                               gradZ: dz + head * m * m, into: ds + head * m * m)
                        }
                    }
                }
            }
        }
        softmaxBackward(a, &ds, rows: g * m, columns: m)
        return ds
    }

    func softmax(_ x: inout Tensor<Float>, rows: Int, columns: Int) {
        x.withUnsafeMutableBufferPointer { ProbabilityRows.softmax($0.baseAddress!, rows: rows, columns: columns) }
    }

    func softmaxBackward(_ p: Tensor<Float>, _ gradient: inout Tensor<Float>, rows: Int, columns: Int) {
        p.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                ProbabilityRows.backward(probabilities: p.baseAddress!, gradient: g.baseAddress!, rows: rows, columns: columns)
            }
        }
    }

    /// Means of m contiguous segments: `[G, N, D]` → `[G, m, D]`. Cost N·D.
    func segmentMeans(_ x: Tensor<Float>, _ shape: MixerShape, _ m: Int) -> Tensor<Float> {
        let (g, n, d) = (shape.flatHeads, shape.length, shape.headDimension)
        let segment = n / m
        var out = Tensor<Float>(zeros: [g, m, d])
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

    /// Adds each landmark's gradient (`[G, m, D]`) spread evenly over its segment to `direct` `[G, N, D]`.
    func segmentMeansBackward(_ landmarks: Tensor<Float>, into direct: inout Tensor<Float>, _ shape: MixerShape, _ m: Int) {
        let (n, d) = (shape.length, shape.headDimension)
        let segment = n / m
        landmarks.withUnsafeBufferPointer { l in
            direct.withUnsafeMutableBufferPointer { out in
                for row in 0..<(shape.flatHeads * n) {
                    let source = (row / n) * m + (row % n) / segment
                    addScaled(l.baseAddress! + source * d, 1 / Float(segment), into: out.baseAddress! + row * d, count: d)
                }
            }
        }
    }
}
