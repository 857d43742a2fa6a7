import Attention
import Kernels

/// Alman & Yu's model (SCIENCE.md §2): one attention unit `Y = softmax(X·W_Q·(X·W_K)ᵀ)·X·W_V` on the
/// token matrix X, no 1/√d scaling, no residual, no positional encoding; the row-wise maps before and after
/// it are the construction's encoding of vectors into tokens and its readout.
///
/// Legend: N tokens, m embedding, k query/key width, v value width (D = max(k, v) ≤ 256).
/// The weights are held in Float64, the construction's exact values; the Float32 forward pass rounds them
/// (and the tokens) to fp32 and runs our attention engine, the Float64 one runs `ReferenceAttention`.
///
/// `masksSelf` hides each token from itself (an additive −∞ on the diagonal of the scores): the i ≠ j of
/// the one-set problems where the diagonal would otherwise be a witness (Max-IP, MSD; see
/// `PairConstruction`).
public struct AttentionUnitModel: Sendable {
    /// `[m, k]`.
    public let queryWeight: Tensor<Double>
    /// `[m, k]`.
    public let keyWeight: Tensor<Double>
    /// `[m, v]`.
    public let valueWeight: Tensor<Double>
    public let masksSelf: Bool

    public init(queryWeight: Tensor<Double>, keyWeight: Tensor<Double>, valueWeight: Tensor<Double>, masksSelf: Bool) {
        precondition(queryWeight.rank == 2 && queryWeight.shape == keyWeight.shape && valueWeight.rank == 2
                     && valueWeight.shape[0] == queryWeight.shape[0], "inconsistent attention unit weights")
        self.queryWeight = queryWeight
        self.keyWeight = keyWeight
        self.valueWeight = valueWeight
        self.masksSelf = masksSelf
    }

    /// m.
    public var embedding: Int { queryWeight.shape[0] }
    /// The head dimension of the attention call: max(k, v), the narrower projections padded with zero
    /// columns (which add nothing to the scores and are dropped from the output).
    var headDimension: Int { max(queryWeight.shape[1], valueWeight.shape[1]) }

    /// Y `[N, v]` for tokens X `[N, m]` in fp32 through `scaledDotProductAttention` (scale 1).
    /// Cost: 2·N·m·3D for the projections, 4·N²·D for attention; N² floats for the mask with `masksSelf`.
    public func forward(_ x: Tensor<Float>, threads: Int = Parallelism.defaultThreads) throws -> Tensor<Float> {
        let n = x.shape[0]
        let mask: AttentionMask = masksSelf
            ? .allowing((0..<n * n).map { $0 / n != $0 % n }, queries: n, keys: n) : .none
        return try project(x) { q, k, v in
            try scaledDotProductAttention(queries: q, keys: k, values: v, mask: mask, scale: 1, threads: threads).output
        }
    }

    /// Y `[N, v]` for tokens X `[N, m]` in fp32 with `attention` in place of exact softmax: the same
    /// projections (Q, K, V `[1, N, D]`) and read-out columns. A self-masking unit (`masksSelf`) has no
    /// such form: `attention` cannot hide the diagonal, so this throws `ConstructionError.selfMaskNeedsExactAttention`.
    public func forward(_ x: Tensor<Float>, attention: AttentionKernel) throws -> Tensor<Float> {
        guard !masksSelf else { throw ConstructionError.selfMaskNeedsExactAttention }
        return try project(x, attention)
    }

    /// The projections of X `[N, m]` into Q, K, V `[1, N, D]`, `attention` on them, and the value columns
    /// of its output `[N, v]`.
    private func project(_ x: Tensor<Float>, _ attention: AttentionKernel) throws -> Tensor<Float> {
        let n = x.shape[0], d = headDimension
        func project(_ weight: Tensor<Double>) -> Tensor<Float> {
            x.matmul(Self.padded(weight, to: d).converted(to: Float.self)).reshaped([1, n, d])  // [H=1, N, D]
        }
        let output = try attention(project(queryWeight), project(keyWeight), project(valueWeight))
        return Self.leadingColumns(output.reshaped([n, d]), valueWeight.shape[1])
    }

    /// Y `[N, v]` for tokens X `[N, m]` in Float64 through `ReferenceAttention.forward`: O(N²·D) time and
    /// O(N²) memory.
    public func forward(_ x: Tensor<Double>) throws -> Tensor<Double> {
        let n = x.shape[0], d = headDimension
        func project(_ weight: Tensor<Double>) -> Tensor<Double> {
            Self.product(x, Self.padded(weight, to: d)).reshaped([1, n, d])
        }
        let mask: AttentionMask = masksSelf
            ? .allowing((0..<n * n).map { $0 / n != $0 % n }, queries: n, keys: n) : .none
        let result = try ReferenceAttention.forward(
            queries: project(queryWeight), keys: project(keyWeight), values: project(valueWeight), mask: mask, scale: 1)
        return Self.leadingColumns(result.output.reshaped([n, d]), valueWeight.shape[1])
    }

    /// `weight` `[m, c]` with zero columns appended up to `[m, width]`.
    static func padded(_ weight: Tensor<Double>, to width: Int) -> Tensor<Double> {
        let columns = weight.shape[1]
        return Tensor(shape: [weight.shape[0], width]) { index in
            index[1] < columns ? weight[index[0], index[1]] : 0
        }
    }

    /// The first `count` columns of a matrix.
    static func leadingColumns<S: TensorScalar>(_ matrix: Tensor<S>, _ count: Int) -> Tensor<S> {
        Tensor(shape: [matrix.shape[0], count]) { matrix[$0[0], $0[1]] }
    }

    /// a·b in Float64 (`referenceGEMM`).
    static func product(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var c = Tensor<Double>(zeros: [m, n])
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    referenceGEMM(m: m, n: n, k: k, a: a.baseAddress!, lda: max(1, k), b: b.baseAddress!,
                                  ldb: max(1, n), c: c.baseAddress!, ldc: max(1, n))
                }
            }
        }
        return c
    }
}
