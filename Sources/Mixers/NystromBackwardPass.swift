import Kernels

extension NystromPass {
    /// dQ, dK, dV `[G, N, D]` from dO `[G, N, D]` and the forward pass's activations, in two passes over
    /// the rows (96-row blocks, per-thread `smallGEMM`s, every N-long operand read once per pass):
    ///
    /// 1. out = K₁·W: dW = K₁ᵀ·dO, dS₁ = softmax′(dO·Wᵀ), dQ = dS₁·s·K̃, dK̃ = s·dS₁ᵀ·Q;
    /// 2. per head: dZ = dW·Yᵀ, dY = Zᵀ·dW, dA through the pseudo-inverse, dS_A = softmax′(dA) into dQ̃, dK̃,
    ///    and c_i = ⟨dY_i, Y_i⟩ (K₃'s softmax-backward row dots: ⟨dK₃_i, K₃_i⟩ = ⟨dY_i, (K₃·V)_i⟩);
    /// 3. Y = K₃·V with K₃ᵀ = E·diag(r): dS₃ᵀ = E ⊙ (V·(dY·diag(r))ᵀ − c·r), dV = E·diag(r)·dY,
    ///    dK = dS₃ᵀ·s·Q̃, dQ̃ += s·dS₃·K;
    /// 4. the landmark gradients spread over their segments into dQ, dK.
    ///
    /// Cost per head 16·N·m·D FLOPs (eight N·m·D products) + 6 FLOPs per N·m element + the pseudo-inverse's.
    func backward(
        queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>, saved: NystromActivations, gradOutput: Tensor<Float>
    ) -> (queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) {
        let (g, n, m, d, s) = (heads, length, landmarks, headDimension, scale)
        var (gradQ, gradK, gradV) = (Tensor<Float>(zeros: [g, n, d]), Tensor<Float>(zeros: [g, n, d]), Tensor<Float>(zeros: [g, n, d]))
        // Per head: s·K̃, s·Q̃, dY·diag(r) `[m, D]`; Wᵀ, (dY·diag(r))ᵀ `[D, m]`; dQ̃, dK̃ `[m, D]`; c·r `[m]`.
        var operands = Tensor<Float>(zeros: [g, 7 * m * d + m])
        var partials = Tensor<Float>(zeros: [3, parts.count, m, d])  // dW, s⁻¹·dK̃ and s⁻¹·dQ̃ per item
        var scratch = Tensor<Float>(zeros: [parts.count, Self.blockRows, m])
        let (q, k, v, dO) = (queries.readPointer, keys.readPointer, values.readPointer, gradOutput.readPointer)
        let (lq, lk, a, z) = (saved.queryLandmarks.readPointer, saved.keyLandmarks.readPointer, saved.kernel.readPointer,
                              saved.inverse.readPointer)
        let (history, y, w) = (saved.iterates.readPointer, saved.summary.readPointer, saved.weights.readPointer)
        let (k1, e, r) = (saved.queryProbabilities.readPointer, saved.keyExponentials.readPointer, saved.reciprocalSums.readPointer)
        let (dq, dk, dv) = (gradQ.writePointer(), gradK.writePointer(), gradV.writePointer())
        let (ops, partial, work) = (operands.writePointer(), partials.writePointer(), scratch.writePointer())
        let stride = 7 * m * d + m
        let (dwPartial, dlkPartial, dlqPartial) = (partial, partial + parts.count * m * d, partial + 2 * parts.count * m * d)
        func sk(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride }
        func sq(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + m * d }
        func dyr(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 2 * m * d }
        func wT(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 3 * m * d }
        func dyrT(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 4 * m * d }
        func dlq(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 5 * m * d }
        func dlk(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 6 * m * d }
        func cr(_ h: Int) -> UnsafeMutablePointer<Float> { ops + h * stride + 7 * m * d }
        parallelFor(g) { h in
            addScaled(lk + h * m * d, s, into: sk(h), count: m * d)
            addScaled(lq + h * m * d, s, into: sq(h), count: m * d)
            scaledTranspose(w + h * m * d, 1, into: wT(h))
        }
        parts.forEach { h, rows, item in
            let ds = work + item * Self.blockRows * m
            blocks(rows) { first, count in
                let (p, gradOut, accumulate) = (k1 + (h * n + first) * m, dO + (h * n + first) * d, first != rows.lowerBound)
                smallGEMM(transposeA: true, m: m, n: d, k: count, a: p, lda: m, b: gradOut, ldb: d, accumulate: accumulate,
                          c: dwPartial + item * m * d, ldc: d)
                smallGEMM(m: count, n: m, k: d, a: gradOut, lda: d, b: wT(h), ldb: m, c: ds, ldc: m)
                ProbabilityRows.backward(probabilities: p, gradient: ds, rows: count, columns: m)
                smallGEMM(m: count, n: d, k: m, a: ds, lda: m, b: sk(h), ldb: d, c: dq + (h * n + first) * d, ldc: d)
                smallGEMM(transposeA: true, m: m, n: d, k: count, a: ds, lda: m, b: q + (h * n + first) * d, ldb: d,
                          accumulate: accumulate, c: dlkPartial + item * m * d, ldc: d)
            }
        }
        let inverse = IterativeInverse(size: m)
        parallelFor(g) { h in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * m * d + 2 * m * m) { buffer in
                let (dw, dy) = (buffer.baseAddress!, buffer.baseAddress! + m * d)
                let (dz, dsa) = (dy + m * d, dy + m * d + m * m)
                dw.update(repeating: 0, count: m * d)
                for item in h * parts.perHead..<(h + 1) * parts.perHead {
                    addScaled(dwPartial + item * m * d, 1, into: dw, count: m * d)
                    addScaled(dlkPartial + item * m * d, s, into: dlk(h), count: m * d)
                }
                let (yh, ah) = (y + h * m * d, a + h * m * m)
                gemm(transposeB: true, m: m, n: m, k: d, a: dw, lda: d, b: yh, ldb: d, c: dz, ldc: m, threads: 1)
                gemm(transposeA: true, m: m, n: d, k: m, a: z + h * m * m, lda: m, b: dw, ldb: d, c: dy, ldc: d, threads: 1)
                inverse.backward(ah, history: history + h * IterativeInverse.iterations * m * m, gradZ: dz, into: dsa)
                ProbabilityRows.backward(probabilities: ah, gradient: dsa, rows: m, columns: m)
                gemm(m: m, n: d, k: m, alpha: s, a: dsa, lda: m, b: lk + h * m * d, ldb: d, c: dlq(h), ldc: d, threads: 1)
                gemm(transposeA: true, m: m, n: d, k: m, alpha: s, a: dsa, lda: m, b: lq + h * m * d, ldb: d, beta: 1,
                     c: dlk(h), ldc: d, threads: 1)
                for i in 0..<m {
                    let ri = r[h * m + i]
                    cr(h)[i] = ri * dotProduct(dy + i * d, yh + i * d, count: d)
                    addScaled(dy + i * d, ri, into: dyr(h) + i * d, count: d)
                }
                scaledTranspose(dyr(h), 1, into: dyrT(h))
            }
        }
        parts.forEach { h, rows, item in
            let ds = work + item * Self.blockRows * m
            blocks(rows) { first, count in
                let (exponentials, accumulate) = (e + (h * n + first) * m, first != rows.lowerBound)
                smallGEMM(m: count, n: m, k: d, a: v + (h * n + first) * d, lda: d, b: dyrT(h), ldb: m, c: ds, ldc: m)
                for row in 0..<count {
                    let gradient = ds + row * m
                    zipLanes(gradient, cr(h), into: gradient, count: m) { $0 - $1 }
                    zipLanes(gradient, exponentials + row * m, into: gradient, count: m) { $0 * $1 }
                }
                smallGEMM(m: count, n: d, k: m, a: exponentials, lda: m, b: dyr(h), ldb: d, c: dv + (h * n + first) * d, ldc: d)
                smallGEMM(m: count, n: d, k: m, a: ds, lda: m, b: sq(h), ldb: d, c: dk + (h * n + first) * d, ldc: d)
                smallGEMM(transposeA: true, m: m, n: d, k: count, a: ds, lda: m, b: k + (h * n + first) * d, ldb: d,
                          accumulate: accumulate, c: dlqPartial + item * m * d, ldc: d)
            }
        }
        parallelFor(g) { h in
            for item in h * parts.perHead..<(h + 1) * parts.perHead {
                addScaled(dlqPartial + item * m * d, s, into: dlq(h), count: m * d)
            }
        }
        parts.forEach { h, rows, _ in
            segmentMeansBackward(dlq(h), into: dq + h * n * d, rows: rows)
            segmentMeansBackward(dlk(h), into: dk + h * n * d, rows: rows)
        }
        withExtendedLifetime((operands, partials, scratch)) {}
        return (gradQ, gradK, gradV)
    }
}
