import Kernels

/// The Nyström forward pass on raw storage, G heads of `[N, D]` back to back, m landmarks, scale s
/// (applied to Q·Kᵀ-shaped products: √s to each side in the paper's terms). Every product is a
/// per-thread `smallGEMM` on operands in L1/L2:
///
/// 1. per head: Q̃, K̃ (segment means), s·Q̃ᵀ, s·K̃ᵀ `[D, m]`, A = softmax(Q̃·s·K̃ᵀ), Z = pinv(A);
/// 2. per row item: S₃ᵀ = K·s·Q̃ᵀ `[rows, m]` (K₃ᵀ unnormalised, so its softmax runs down columns)
///    and each column's maximum;
/// 3. per row item: E = exp(S₃ᵀ − column max) in place, its column sums and Eᵀ·V `[m, D]`, block by block;
/// 4. per head: Y = diag(1/sums)·Σ items Eᵀ·V = K₃·V, W = Z·Y;
/// 5. per row item, 96-row blocks: K₁ = softmax(Q·s·K̃ᵀ) `[rows, m]`, out = K₁·W while K₁ is in L1.
///
/// Cost per head 8·N·m·D FLOPs (four N·m·D products) + 2 exps per N·m element + the pseudo-inverse
/// (48·m³); memory written: K₁ and E (2·N·m floats, kept for the backward pass) and the output.
struct NystromPass {
    let heads: Int, length: Int, landmarks: Int, headDimension: Int, scale: Float
    let parts: RowParts
    /// Rows of one block of the N-long passes (16 micro-kernel tiles of 6 rows).
    static let blockRows = 96

    init(heads: Int, length: Int, landmarks: Int, headDimension: Int, scale: Float) {
        (self.heads, self.length, self.landmarks, self.headDimension, self.scale) = (heads, length, landmarks, headDimension, scale)
        parts = RowParts(heads: heads, rows: length)
    }

    /// out `[G, N, D]` and the activations, from Q, K, V `[G, N, D]`.
    func forward(queries: Tensor<Float>, keys: Tensor<Float>, values: Tensor<Float>) -> (Tensor<Float>, NystromActivations) {
        let (g, n, m, d, s) = (heads, length, landmarks, headDimension, scale)
        var saved = NystromActivations(heads: g, length: n, landmarks: m, headDimension: d)
        var output = Tensor<Float>(zeros: [g, n, d])
        var scaledTransposes = Tensor<Float>(zeros: [g, 2, d, m])  // s·Q̃ᵀ, s·K̃ᵀ per head
        var maxima = Tensor<Float>(zeros: [parts.count, m]), sums = Tensor<Float>(zeros: [parts.count, m])
        var partialSummaries = Tensor<Float>(zeros: [parts.count, m, d])
        let (q, k, v) = (queries.readPointer, keys.readPointer, values.readPointer)
        let (lq, lk, a) = (saved.queryLandmarks.writePointer(), saved.keyLandmarks.writePointer(), saved.kernel.writePointer())
        let (z, history, y) = (saved.inverse.writePointer(), saved.iterates.writePointer(), saved.summary.writePointer())
        let (w, k1, e) = (saved.weights.writePointer(), saved.queryProbabilities.writePointer(), saved.keyExponentials.writePointer())
        let (r, out, t) = (saved.reciprocalSums.writePointer(), output.writePointer(), scaledTransposes.writePointer())
        let (columnMax, columnSum, partial) = (maxima.writePointer(), sums.writePointer(), partialSummaries.writePointer())
        let inverse = IterativeInverse(size: m)
        parallelFor(g) { h in
            let (lqh, lkh, ah) = (lq + h * m * d, lk + h * m * d, a + h * m * m)
            segmentMeans(q + h * n * d, into: lqh)
            segmentMeans(k + h * n * d, into: lkh)
            scaledTranspose(lqh, s, into: t + 2 * h * d * m)
            scaledTranspose(lkh, s, into: t + (2 * h + 1) * d * m)
            smallGEMM(m: m, n: m, k: d, a: lqh, lda: d, b: t + (2 * h + 1) * d * m, ldb: m, c: ah, ldc: m)
            softmaxFiniteRows(ah, rows: m, columns: m)
            inverse.forward(ah, into: z + h * m * m, history: history + h * IterativeInverse.iterations * m * m)
        }
        parts.forEach { h, rows, item in
            let maximum = columnMax + item * m
            maximum.update(repeating: -.infinity, count: m)
            blocks(rows) { first, count in
                let scores = e + (h * n + first) * m
                smallGEMM(m: count, n: m, k: d, a: k + (h * n + first) * d, lda: d, b: t + 2 * h * d * m, ldb: m,
                          c: scores, ldc: m)
                for row in 0..<count { zipLanes(maximum, scores + row * m, into: maximum, count: m) { lanewiseMax($0, $1) } }
            }
        }
        parts.forEach { h, rows, item in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: m) { shift in
                let shift = shift.baseAddress!
                shift.update(from: columnMax + h * parts.perHead * m, count: m)
                for other in 1..<parts.perHead {
                    zipLanes(shift, columnMax + (h * parts.perHead + other) * m, into: shift, count: m) { lanewiseMax($0, $1) }
                }
                let sum = columnSum + item * m
                blocks(rows) { first, count in
                    let exponentials = e + (h * n + first) * m
                    exponentiateColumns(exponentials, rows: count, columns: m, shift: shift, sums: sum)
                    smallGEMM(transposeA: true, m: m, n: d, k: count, a: exponentials, lda: m, b: v + (h * n + first) * d,
                              ldb: d, accumulate: first != rows.lowerBound, c: partial + item * m * d, ldc: d)
                }
            }
        }
        parallelFor(g) { h in
            let (rh, yh) = (r + h * m, y + h * m * d)
            for item in h * parts.perHead..<(h + 1) * parts.perHead {
                zipLanes(rh, columnSum + item * m, into: rh, count: m) { $0 + $1 }
            }
            for i in 0..<m {
                rh[i] = 1 / rh[i]
                for item in h * parts.perHead..<(h + 1) * parts.perHead {
                    addScaled(partial + (item * m + i) * d, rh[i], into: yh + i * d, count: d)
                }
            }
            smallGEMM(m: m, n: d, k: m, a: z + h * m * m, lda: m, b: yh, ldb: d, c: w + h * m * d, ldc: d)
        }
        parts.forEach { h, rows, _ in
            blocks(rows) { first, count in
                let probabilities = k1 + (h * n + first) * m
                smallGEMM(m: count, n: m, k: d, a: q + (h * n + first) * d, lda: d, b: t + (2 * h + 1) * d * m, ldb: m,
                          c: probabilities, ldc: m)
                softmaxFiniteRows(probabilities, rows: count, columns: m)
                smallGEMM(m: count, n: d, k: m, a: probabilities, lda: m, b: w + h * m * d, ldb: d,
                          c: out + (h * n + first) * d, ldc: d)
            }
        }
        withExtendedLifetime((scaledTransposes, maxima, sums, partialSummaries)) {}
        return (output, saved)
    }

    /// `body(first, count)` for the blocks of at most `blockRows` rows of `rows`, in order.
    func blocks(_ rows: Range<Int>, _ body: (_ first: Int, _ count: Int) -> Void) {
        for first in stride(from: rows.lowerBound, to: rows.upperBound, by: Self.blockRows) {
            body(first, min(Self.blockRows, rows.upperBound - first))
        }
    }

    /// Means of m contiguous segments of one head: `[N, D]` → `[m, D]` (added into `out`, zero on entry).
    /// Cost N·D.
    func segmentMeans(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let (d, segment) = (headDimension, length / landmarks)
        for row in 0..<length {
            addScaled(x + row * d, 1 / Float(segment), into: out + (row / segment) * d, count: d)
        }
    }

    /// Adds each landmark's gradient (`[m, D]`) spread evenly over its segment to one head's `[N, D]` gradient.
    func segmentMeansBackward(_ gradient: UnsafePointer<Float>, into direct: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let (d, segment) = (headDimension, length / landmarks)
        for row in rows {
            addScaled(gradient + (row / segment) * d, 1 / Float(segment), into: direct + row * d, count: d)
        }
    }

    /// out = c·xᵀ for one head's x `[m, D]` → `[D, m]`. Cost m·D.
    func scaledTranspose(_ x: UnsafePointer<Float>, _ c: Float, into out: UnsafeMutablePointer<Float>) {
        let (m, d) = (landmarks, headDimension)
        for i in 0..<m { for j in 0..<d { out[j * m + i] = c * x[i * d + j] } }
    }
}
