import Foundation
import Kernels

/// The yardstick for the flash kernels: the textbook formula in Float64, materialising every score.
///
/// Forward `O = softmax(scale·Q·Kᵀ + mask)·V` per head, with `logSumExp_i = ln Σ_j exp(s_ij)`.
/// Backward, with `P` the softmax: `dV = Pᵀ·dO`, `dP = dO·Vᵀ`, `dS = P ∘ (dP − rowsum(dO ∘ O))`,
/// `dQ = scale·dS·K`, `dK = scale·dSᵀ·Q` (grouped heads add their dK, dV into the shared head).
/// Shapes as `AttentionShape`; rank-4 tensors `[B, H, N, D]` (rank 3 is B = 1). Cost: O(N_q·N_kv·D)
/// per head with O(N_q·N_kv) memory — for tests, not for speed.
public enum ReferenceAttention {
    public struct Forward {
        public let output: Tensor<Double>
        public let logSumExp: Tensor<Double>
    }

    public struct Gradients {
        public let queries: Tensor<Double>
        public let keys: Tensor<Double>
        public let values: Tensor<Double>
    }

    public static func forward(
        queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>,
        mask: AttentionMask = .none, scale: Double? = nil
    ) throws -> Forward {
        let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
        try shape.validate(mask)
        var output = Tensor<Double>(zeros: queries.shape)
        var logSumExp = Tensor<Double>(zeros: Array(queries.shape.dropLast()))
        let nq = shape.queryLength, d = shape.headDimension
        for head in 0..<shape.batch * shape.queryHeads {
            let p = probabilities(shape: shape, head: head, queries: queries, keys: keys, mask: mask, scale: scale)
            let kv = shape.keyValueHead(of: head)
            output.withUnsafeMutableBufferPointer { o in
                values.withUnsafeBufferPointer { v in
                    for i in 0..<nq {
                        for c in 0..<d {
                            var sum = 0.0
                            for j in 0..<shape.keyLength { sum += p.weights[i][j] * v[(kv * shape.keyLength + j) * d + c] }
                            o[(head * nq + i) * d + c] = sum
                        }
                    }
                }
            }
            logSumExp.withUnsafeMutableBufferPointer { l in
                for i in 0..<nq { l[head * nq + i] = p.logSumExp[i] }
            }
        }
        return Forward(output: output, logSumExp: logSumExp)
    }

    public static func backward(
        queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>, gradOutput: Tensor<Double>,
        mask: AttentionMask = .none, scale: Double? = nil
    ) throws -> Gradients {
        let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
        try shape.validate(mask)
        let s = scale ?? 1 / Double(shape.headDimension).squareRoot()
        let nq = shape.queryLength, nkv = shape.keyLength, d = shape.headDimension
        var dQ = [Double](repeating: 0, count: queries.count)
        var dK = [Double](repeating: 0, count: keys.count)
        var dV = [Double](repeating: 0, count: values.count)
        let q = queries.elements, k = keys.elements, v = values.elements, dO = gradOutput.elements
        for head in 0..<shape.batch * shape.queryHeads {
            let p = probabilities(shape: shape, head: head, queries: queries, keys: keys, mask: mask, scale: scale).weights
            let kv = shape.keyValueHead(of: head)
            func qi(_ i: Int, _ c: Int) -> Int { (head * nq + i) * d + c }
            func kj(_ j: Int, _ c: Int) -> Int { (kv * nkv + j) * d + c }
            for i in 0..<nq {
                var dP = [Double](repeating: 0, count: nkv)
                var rowDot = 0.0
                for j in 0..<nkv {
                    for c in 0..<d { dP[j] += dO[qi(i, c)] * v[kj(j, c)] }
                    rowDot += p[i][j] * dP[j]  // = Σ_c dO_ic·O_ic
                }
                for j in 0..<nkv {
                    let dS = p[i][j] * (dP[j] - rowDot)
                    for c in 0..<d {
                        dQ[qi(i, c)] += s * dS * k[kj(j, c)]
                        dK[kj(j, c)] += s * dS * q[qi(i, c)]
                        dV[kj(j, c)] += p[i][j] * dO[qi(i, c)]
                    }
                }
            }
        }
        return Gradients(queries: Tensor(shape: queries.shape, elements: dQ),
                         keys: Tensor(shape: keys.shape, elements: dK),
                         values: Tensor(shape: values.shape, elements: dV))
    }

    /// Softmax weights `[N_q][N_kv]` of one query head and each row's log-sum-exp; rows that see no key
    /// are all zero with log-sum-exp −∞.
    static func probabilities(
        shape: AttentionShape, head: Int, queries: Tensor<Double>, keys: Tensor<Double>,
        mask: AttentionMask, scale: Double?
    ) -> (weights: [[Double]], logSumExp: [Double]) {
        let s = scale ?? 1 / Double(shape.headDimension).squareRoot()
        let nq = shape.queryLength, nkv = shape.keyLength, d = shape.headDimension
        let kv = shape.keyValueHead(of: head)
        let q = queries.elements, k = keys.elements
        let table = mask.additive?.elements
        var weights: [[Double]] = []
        var logSumExp: [Double] = []
        for i in 0..<nq {
            var scores = [Double](repeating: -.infinity, count: nkv)
            for j in 0..<nkv where mask.sees(query: i, key: j) {
                var dot = 0.0
                for c in 0..<d { dot += q[(head * nq + i) * d + c] * k[(kv * nkv + j) * d + c] }
                scores[j] = s * dot + (table.map { Double($0[i * nkv + j]) } ?? 0)
            }
            let m = scores.max() ?? -.infinity
            if m == -.infinity {
                weights.append([Double](repeating: 0, count: nkv))
                logSumExp.append(-.infinity)
                continue
            }
            let e = scores.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            weights.append(e.map { $0 / total })
            logSumExp.append(m + Foundation.log(total))
        }
        return (weights, logSumExp)
    }
}
