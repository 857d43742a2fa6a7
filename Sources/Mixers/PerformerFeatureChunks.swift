import Kernels

/// A key stabiliser of `PerformerFeatures`: the largest projection u of a head's keys (or of one chunk's),
/// at flat row `row` (into G·N) and feature `feature` (its first occurrence in row-major order).
struct KeyStabiliser {
    var value: Float, row: Int, feature: Int
}

/// FAVOR+ features (`PerformerFeatures`' formula) computed chunk by chunk from raw x `[G·N, D]` into a
/// worker's scratch `[rows, m]`, so no `[G, N, m]` tensor is made.
///
/// u = x·Wₛᵀ with Wₛ = √s·W (held transposed, `[D, m]`) is one GEMM per chunk; then, in place,
/// φ = m^{−1/2}·(exp(u − s·‖x‖²/2 − c) + ε) with c the row's largest u (queries) or the head's key
/// stabiliser (keys). Cost per row 2·m·D FLOPs + m exps; memory the two copies of W (2·m·D floats).
struct PerformerFeatureChunks {
    let features: Int, headDimension: Int, length: Int
    let scale: Float
    /// √s·Wᵀ `[D, m]` (the projection) and √s·W `[m, D]` (its gradient).
    let transposedWeights: UnsafePointer<Float>, scaledWeights: UnsafePointer<Float>

    /// u of `rows` of x into `out` `[rows, m]`, on the calling thread (the packed `gemm`: W is too large for
    /// `smallGEMM`'s unpacked panels to run at its speed).
    func project(_ x: UnsafePointer<Float>, _ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        gemm(m: rows.count, n: features, k: headDimension, a: x + rows.lowerBound * headDimension, lda: headDimension,
             b: transposedWeights, ldb: features, c: out, ldc: features, threads: 1)
    }

    /// φ(q) of `rows` into `out`; each row's arg-max feature into `argmax[row]` when given.
    func queryFeatures(_ q: UnsafePointer<Float>, _ rows: Range<Int>, into out: UnsafeMutablePointer<Float>,
                       argmax: UnsafeMutablePointer<Int>?) {
        project(q, rows, into: out)
        for (i, row) in rows.enumerated() {
            let u = out + i * features, top = maximum(u, count: features)
            argmax?[row] = (0..<features).first { u[$0] == top } ?? 0
            exponentiate(u, q + row * headDimension, shift: top, epsilon: PerformerFeatures.epsilon)
        }
    }

    /// φ(k) of `rows` (all of one head) into `out`, with that head's stabiliser value c.
    func keyFeatures(_ k: UnsafePointer<Float>, _ rows: Range<Int>, stabiliser c: Float, into out: UnsafeMutablePointer<Float>) {
        project(k, rows, into: out)
        exponentiate(k, rows, u: out, shift: c, epsilon: PerformerFeatures.epsilon)
    }

    /// u of `rows` into `out` and the rows' largest u with its first position.
    func projectedMaximum(_ k: UnsafePointer<Float>, _ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) -> KeyStabiliser {
        project(k, rows, into: out)
        var top = KeyStabiliser(value: -.infinity, row: rows.lowerBound, feature: 0)
        for i in 0..<rows.count {
            let u = out + i * features, rowTop = maximum(u, count: features)
            if rowTop > top.value {
                top = KeyStabiliser(value: rowTop, row: rows.lowerBound + i, feature: (0..<features).first { u[$0] == rowTop } ?? 0)
            }
        }
        return top
    }

    /// m^{−1/2}·exp(u − s·‖k‖²/2 − c_rows) of `rows` into `out` (no ε), with c_rows the rows' own largest u,
    /// which is returned: the key features of a chunk up to the factor exp(c_rows − c) and the ε term.
    func localKeyExponentials(_ k: UnsafePointer<Float>, _ rows: Range<Int>, into out: UnsafeMutablePointer<Float>) -> KeyStabiliser {
        let top = projectedMaximum(k, rows, into: out)
        exponentiate(k, rows, u: out, shift: top.value, epsilon: 0)
        return top
    }

    /// u ← m^{−1/2}·(exp(u − s·‖x‖²/2 − c) + ε) in place for u `[rows, m]` of `rows` of x.
    func exponentiate(_ x: UnsafePointer<Float>, _ rows: Range<Int>, u: UnsafeMutablePointer<Float>, shift c: Float,
                      epsilon: Float) {
        for (i, row) in rows.enumerated() { exponentiate(u + i * features, x + row * headDimension, shift: c, epsilon: epsilon) }
    }

    private func exponentiate(_ u: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, shift c: Float, epsilon: Float) {
        let half = scale * dotProduct(x, x, count: headDimension) / 2
        let offset = MixerVector(repeating: half + c)
        let ratio = MixerVector(repeating: 1 / Float(features).squareRoot())
        let floor = ratio * MixerVector(repeating: epsilon)
        zipLanes(u, u, into: u, count: features) { t, _ in multiplyAdd(vectorExp(t - offset), ratio, floor) }
    }
}

extension KeyStabiliser {
    /// The heads' stabilisers as a `[G, 3]` tensor for a mixer's saved state: the value, then the bit
    /// patterns of row and feature (exact for every index below 2³²; only ever copied, never computed on).
    static func tensor(_ stabilisers: [KeyStabiliser]) -> Tensor<Float> {
        Tensor(shape: [stabilisers.count, 3], elements: stabilisers.flatMap {
            [$0.value, Float(bitPattern: UInt32($0.row)), Float(bitPattern: UInt32($0.feature))]
        })
    }

    /// The stabilisers `tensor` saved.
    static func list(_ saved: Tensor<Float>) -> [KeyStabiliser] {
        saved.withUnsafeBufferPointer { x in
            (0..<saved.shape[0]).map {
                KeyStabiliser(value: x[3 * $0], row: Int(x[3 * $0 + 1].bitPattern), feature: Int(x[3 * $0 + 2].bitPattern))
            }
        }
    }
}
