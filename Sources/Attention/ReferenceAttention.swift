import Foundation
import Kernels

/// The yardstick for the flash kernels: the textbook formula in Float64, materialising every score.
///
/// Forward `O = softmax(scale·Q·Kᵀ + mask)·V` per head, with `logSumExp_i = ln Σ_j exp(s_ij)`.
/// Backward, with `P` the softmax: `dV = Pᵀ·dO`, `dP = dO·Vᵀ`, `dS = P ∘ (dP − rowsum(dO ∘ O))`,
/// `dQ = scale·dS·K`, `dK = scale·dSᵀ·Q` (grouped heads add their dK, dV into the shared head).
/// With MoDA depth slots (`[B, H_q, N_q, S, D]`, see `DepthSlots`) row i's keys and values are its
/// visible sequence keys followed by its own S slots, never masked: one softmax over N_kv + S scores.
/// Shapes as `AttentionShape`; rank-4 tensors `[B, H, N, D]` (rank 3 is B = 1). Cost: O(N_q·(N_kv + S)·D)
/// per head with O(N_q·(N_kv + S)) memory — for tests, not for speed.
public enum ReferenceAttention {
    public struct Forward {
        public let output: Tensor<Double>
        public let logSumExp: Tensor<Double>
    }

    public struct Gradients {
        public let queries: Tensor<Double>
        public let keys: Tensor<Double>
        public let values: Tensor<Double>
        /// Gradients of the depth slots, nil without them.
        public let depthKeys: Tensor<Double>?
        public let depthValues: Tensor<Double>?
    }

    /// Depth slots in Float64: keys and values `[B, H_q, N_q, S, D]` or `[H_q, N_q, S, D]`.
    public typealias Depth = (keys: Tensor<Double>, values: Tensor<Double>)

    public static func forward(
        queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>, depth: Depth? = nil,
        mask: AttentionMask = .none, scale: Double? = nil
    ) throws -> Forward {
        let rows = try RowKeys(queries: queries, keys: keys, values: values, depth: depth, mask: mask)
        let shape = rows.shape, nq = shape.queryLength, d = shape.headDimension
        var output = [Double](repeating: 0, count: queries.count)
        var logSumExp = [Double](repeating: 0, count: queries.count / d)
        for head in 0..<shape.batch * shape.queryHeads {
            let p = probabilities(rows: rows, head: head, scale: scale)
            for i in 0..<nq {
                for j in 0..<rows.keyCount {
                    for c in 0..<d { output[(head * nq + i) * d + c] += p.weights[i][j] * rows.value(head, i, j, c) }
                }
                logSumExp[head * nq + i] = p.logSumExp[i]
            }
        }
        return Forward(output: Tensor(shape: queries.shape, elements: output),
                       logSumExp: Tensor(shape: Array(queries.shape.dropLast()), elements: logSumExp))
    }

    public static func backward(
        queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>, depth: Depth? = nil,
        gradOutput: Tensor<Double>, mask: AttentionMask = .none, scale: Double? = nil
    ) throws -> Gradients {
        let rows = try RowKeys(queries: queries, keys: keys, values: values, depth: depth, mask: mask)
        let shape = rows.shape
        let s = scale ?? 1 / Double(shape.headDimension).squareRoot()
        let nq = shape.queryLength, d = shape.headDimension
        var dQ = [Double](repeating: 0, count: queries.count)
        var dK = [Double](repeating: 0, count: keys.count + (depth?.keys.count ?? 0))
        var dV = [Double](repeating: 0, count: values.count + (depth?.values.count ?? 0))
        let q = queries.elements, dO = gradOutput.elements
        for head in 0..<shape.batch * shape.queryHeads {
            let p = probabilities(rows: rows, head: head, scale: scale).weights
            func qi(_ i: Int, _ c: Int) -> Int { (head * nq + i) * d + c }
            for i in 0..<nq {
                var dP = [Double](repeating: 0, count: rows.keyCount)
                var rowDot = 0.0
                for j in 0..<rows.keyCount {
                    for c in 0..<d { dP[j] += dO[qi(i, c)] * rows.value(head, i, j, c) }
                    rowDot += p[i][j] * dP[j]  // = Σ_c dO_ic·O_ic
                }
                for j in 0..<rows.keyCount {
                    let dS = p[i][j] * (dP[j] - rowDot)
                    for c in 0..<d {
                        let kj = rows.index(head, i, j, c)
                        dQ[qi(i, c)] += s * dS * rows.key(head, i, j, c)
                        dK[kj] += s * dS * q[qi(i, c)]
                        dV[kj] += p[i][j] * dO[qi(i, c)]
                    }
                }
            }
        }
        let split = keys.count
        return Gradients(queries: Tensor(shape: queries.shape, elements: dQ),
                         keys: Tensor(shape: keys.shape, elements: Array(dK[..<split])),
                         values: Tensor(shape: values.shape, elements: Array(dV[..<split])),
                         depthKeys: depth.map { Tensor(shape: $0.keys.shape, elements: Array(dK[split...])) },
                         depthValues: depth.map { Tensor(shape: $0.values.shape, elements: Array(dV[split...])) })
    }

    /// Softmax weights `[N_q][N_kv + S]` of one query head and each row's log-sum-exp; rows that see no key
    /// are all zero with log-sum-exp −∞.
    static func probabilities(rows: RowKeys, head: Int, scale: Double?) -> (weights: [[Double]], logSumExp: [Double]) {
        let shape = rows.shape
        let s = scale ?? 1 / Double(shape.headDimension).squareRoot()
        let nq = shape.queryLength, nkv = shape.keyLength, d = shape.headDimension
        let q = rows.queries
        let table = rows.mask.additive?.elements
        var weights: [[Double]] = []
        var logSumExp: [Double] = []
        for i in 0..<nq {
            var scores = [Double](repeating: -.infinity, count: rows.keyCount)
            for j in 0..<rows.keyCount where j >= nkv || rows.mask.sees(query: i, key: j) {
                var dot = 0.0
                for c in 0..<d { dot += q[(head * nq + i) * d + c] * rows.key(head, i, j, c) }
                scores[j] = s * dot + (j < nkv ? table.map { Double($0[i * nkv + j]) } ?? 0 : 0)
            }
            let m = scores.max() ?? -.infinity
            if m == -.infinity {
                weights.append([Double](repeating: 0, count: rows.keyCount))
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

    /// The keys and values row i of a head reads: j < N_kv its key/value head's sequence rows, then its
    /// own S depth slots. Keys and depth keys share one index space (`index`), sequence rows first.
    struct RowKeys {
        let shape: AttentionShape
        let mask: AttentionMask
        let slots: Int
        let queries: [Double]
        let keys: [Double]    // sequence keys, then depth keys
        let values: [Double]  // sequence values, then depth values

        init(queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>, depth: Depth?, mask: AttentionMask) throws {
            let shape = try AttentionShape(queries: queries.shape, keys: keys.shape, values: values.shape)
            try shape.validate(mask)
            self.shape = shape
            self.mask = mask
            slots = try depth.map { try DepthSlots.slotCount(keys: $0.keys.shape, values: $0.values.shape, for: shape) } ?? 0
            self.queries = queries.elements
            self.keys = keys.elements + (depth?.keys.elements ?? [])
            self.values = values.elements + (depth?.values.elements ?? [])
        }

        /// N_kv + S keys per row.
        var keyCount: Int { shape.keyLength + slots }

        /// Position of element c of key j of row i of flattened query head `head` in `keys`/`values`.
        func index(_ head: Int, _ i: Int, _ j: Int, _ c: Int) -> Int {
            let d = shape.headDimension, nkv = shape.keyLength
            if j < nkv { return (shape.keyValueHead(of: head) * nkv + j) * d + c }
            let sequence = shape.batch * shape.keyValueHeads * nkv * d
            return sequence + shape.depthOffset(head: head, query: i, slots: slots) + (j - nkv) * d + c
        }

        func key(_ head: Int, _ i: Int, _ j: Int, _ c: Int) -> Double { keys[index(head, i, j, c)] }
        func value(_ head: Int, _ i: Int, _ j: Int, _ c: Int) -> Double { values[index(head, i, j, c)] }
    }
}
