import Foundation
import Kernels
import Models

/// The 3-OV construction of SCIENCE.md §1.1 (after Saha, Xu, Ye, Yu, arXiv 2603.11332) as the weights of
/// the paper's sum-of-heads `PaperTransformer`: L layers × H heads, one vector of C per head.
///
/// **Tokens** (m = 2d + 3 columns: a-block, b-block, const, real, accumulator): token i < N = |A| = |B|
/// is `[a_i, b_i, 1, 1, 0]`, and one extra token N is `[0, 0, 1, 0, 0]`.
///
/// **Head (ℓ, h)** holds c = c_{ℓ·H + h} (k = d + 1):
/// - W_Q maps a token to `q_i = [−β·(a_i ⊙ c), const_i]` (W_Q[a_q, q] = −β·c_q, W_Q[const, d] = 1);
/// - W_K maps it to `k_j = [b_j, −(β/2)·(const_j − real_j)]` (W_K[b_q, q] = 1, W_K[const, d] = −β/2,
///   W_K[real, d] = β/2): the key term is linear in the token;
/// - W_V copies `real_j` into the accumulator (W_V[real, acc] = 1).
///
/// So the logit is −β·Σ_q a_i[q]·c[q]·b_j[q] for real tokens — 0 exactly when (a_i, b_j, c) is
/// orthogonal, ≤ −β otherwise — and −β/2 for the extra token, with β = 2·ln(4·K·(N+1)), K = L·H.
/// Queries and keys read only the a, b, const and real columns, which no head writes, so every layer
/// sees the same scores; each head adds its softmax mass on real tokens to the accumulator through the
/// residual. A row with an orthogonal partner gets ≥ Y = 1/(1 + e^(−β/2)) from that head; a row without
/// gets ≤ (N+1)·e^(−β/2) = 1/(4K) per head, ≤ 1/4 in all. **Answer: yes iff max_{i<N} acc_i ≥ 1/2.**
///
/// Cost: L·H attention heads over N + 1 tokens at head dimension max(k, m) = 2d + 3.
public struct ThreeOVConstruction: Sendable {
    /// The transformer with the construction's weights rounded to fp32.
    public let model: PaperTransformer
    /// The same weights in Float64, by `ModelWeightNames` name (for the Float64 run).
    public let exactWeights: [String: Tensor<Double>]
    /// X `[N + 1, 2d + 3]`.
    public let tokens: Tensor<Double>
    /// β = 2·ln(4·K·(N+1)).
    public let beta: Double

    /// Builds the construction; throws what `validate(layers:heads:)` throws (|C| must be L·H), and
    /// `ConstructionError.dimensionTooLarge` when m = 2d + 3 would exceed 256.
    public init(_ instance: HardnessInstance, layers: Int, heads: Int) throws {
        try instance.validate(layers: layers, heads: heads)
        let a = instance.a, b = instance.b!, c = instance.c!
        let d = instance.dimension, n = a.rows, m = 2 * d + 3, k = d + 1
        guard m <= 256 else { throw ConstructionError.dimensionTooLarge(problem: .threeOV, dimension: d, limit: 126) }
        let beta = 2 * log(4 * Double(c.rows) * Double(n + 1))
        let (constant, real, accumulator) = (2 * d, 2 * d + 1, 2 * d + 2)

        var paperLayers: [PaperLayer] = []
        var exact: [String: Tensor<Double>] = [:]
        for l in 0..<layers {
            var layerHeads: [PaperHead] = []
            for h in 0..<heads {
                let vector = l * heads + h
                var query = Tensor<Double>(zeros: [m, k]), key = Tensor<Double>(zeros: [m, k])
                var value = Tensor<Double>(zeros: [m, m])
                for q in 0..<d {
                    if c[vector, q] { query[q, q] = -beta }
                    key[d + q, q] = 1
                }
                query[constant, d] = 1
                key[constant, d] = -beta / 2
                key[real, d] = beta / 2
                value[real, accumulator] = 1
                exact[ModelWeightNames.paperQuery(layer: l, head: h)] = query
                exact[ModelWeightNames.paperKey(layer: l, head: h)] = key
                exact[ModelWeightNames.paperValue(layer: l, head: h)] = value
                layerHeads.append(PaperHead(queryWeight: query.converted(to: Float.self),
                                            keyWeight: key.converted(to: Float.self),
                                            valueWeight: value.converted(to: Float.self)))
            }
            paperLayers.append(PaperLayer(heads: layerHeads))
        }

        var x = [Double](repeating: 0, count: (n + 1) * m)
        for i in 0..<n {
            for q in 0..<d {
                if a[i, q] { x[i * m + q] = 1 }
                if b[i, q] { x[i * m + d + q] = 1 }
            }
            x[i * m + constant] = 1
            x[i * m + real] = 1
        }
        x[n * m + constant] = 1  // the extra token

        self.model = PaperTransformer(layers: paperLayers)
        self.exactWeights = exact
        self.tokens = Tensor(shape: [n + 1, m], elements: x)
        self.beta = beta
    }

    /// N + 1 tokens, L layers, H heads, embedding 2d + 3.
    public var shape: ModelShape {
        ModelShape(tokens: tokens.shape[0], layers: model.layers.count, heads: model.headCount,
                   embedding: tokens.shape[1])
    }

    /// yes ≥ 1/(1 + e^(−β/2)), no ≤ K·(N+1)·e^(−β/2) = 1/4, threshold 1/2.
    var levels: ReadoutLevels {
        let heads = Double(model.layers.count * model.headCount), tokenCount = Double(tokens.shape[0])
        return ReadoutLevels(yes: 1 / (1 + exp(-beta / 2)), no: heads * tokenCount * exp(-beta / 2), threshold: 0.5)
    }

    /// Runs the transformer in `precision` (fp32: `PaperTransformer.forward`; fp64:
    /// `PaperTransformerReference` with `exactWeights`) and reads the accumulators of rows 0..<N.
    public func run(precision: ConstructionPrecision, threads: Int = Parallelism.defaultThreads) throws -> ConstructionResult {
        let start = monotonicSeconds()
        let output: [Double]
        switch precision {
        case .float32:
            output = try model.forward(tokens.converted(to: Float.self), threads: threads).elements.map(Double.init)
        case .float64:
            var reference = PaperTransformerReference(model)
            reference.weights = exactWeights
            output = reference.forward(tokens).elements
        }
        let m = tokens.shape[1], n = tokens.shape[0] - 1
        let accumulators = (0..<n).map { output[$0 * m + m - 1] }
        return levels.result(reading: accumulators, model: shape, precision: precision, startedAt: start)
    }

    /// Runs the construction with `attention` in place of exact softmax (fp32), head by head on the input
    /// tokens: queries and keys read only columns no head writes and each value writes only the
    /// accumulator, so the final accumulator is the sum over heads of each head's output on X — what the
    /// L-layer residual model computes. Same weights and read-out as `run(precision:)`.
    public func run(attention: AttentionKernel) throws -> ConstructionResult {
        let start = monotonicSeconds()
        let x = tokens.converted(to: Float.self)
        let (m, n) = (tokens.shape[1], tokens.shape[0] - 1)
        var accumulators = [Double](repeating: 0, count: n)
        for l in 0..<model.layers.count {
            for h in 0..<model.headCount {
                let value = exactWeights[ModelWeightNames.paperValue(layer: l, head: h)]!
                let unit = AttentionUnitModel(
                    queryWeight: exactWeights[ModelWeightNames.paperQuery(layer: l, head: h)]!,
                    keyWeight: exactWeights[ModelWeightNames.paperKey(layer: l, head: h)]!,
                    valueWeight: Tensor(shape: [m, 1]) { value[$0[0], m - 1] }, masksSelf: false)
                let output = try unit.forward(x, attention: attention).elements
                for i in 0..<n { accumulators[i] += Double(output[i]) }
            }
        }
        return levels.result(reading: accumulators, model: shape, precision: .float32, startedAt: start)
    }
}
