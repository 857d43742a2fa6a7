import Foundation
import Kernels

/// Alman & Yu's constructions (arXiv 2410.04271, Thm 4.1, C.1, C.2; SCIENCE.md §2) for the pair problems
/// — OV, Max-IP_t, Min-IP_t, MSD_t, LSD_t, one-set and bichromatic — as one `AttentionUnitModel`.
///
/// **Tokens** (the row-wise map before attention): one per vector of A, then one per vector of B
/// (bichromatic), then one extra token; N tokens in all. A vector v becomes
/// `[u, const = 1, real = 1, sideA]` with u = v (inner products) or u = v/‖v‖ (cosines), and sideA = 1 for
/// vectors of A (bichromatic only); the extra token is `[0, 1, 0, 0]`. Embedding m = d + 2 (+1 bichromatic).
///
/// **Scores.** With s = +1 for "score ≥ t" (Max-IP, MSD), s = −1 for "score ≤ t" (OV as t = 0, Min-IP,
/// LSD), the query of token i is `[s·β·u_i, const_i, −M·sideA_i]` and the key of token j is
/// `[u_j, −s·β·τ·real_j, sideA_j]`, where τ (`ThresholdPlacement`) lies strictly between the two achievable
/// scores nearest to t on either side of the decision, the witness level and the non-witness level, g apart
/// (g = 1 and τ = t ∓ 1/2 for integers; for cosines the exact `Cosine.levels` at dimension d, so a t equal
/// to an achievable cosine up to rounding is decided as exactly as brute force decides it). With β = 2Δ/g
/// the logit is
/// - s·β·(score(i, j) − τ) for two vectors: ≥ β·g/2 = Δ for a witness pair, ≤ −Δ for any other;
/// - 0 for the extra token: halfway between the two levels;
/// - ≤ −2Δ for two vectors of A in bichromatic problems (M = 2Δ + β·span, span = d + 1 or 2, more than
///   any |score − τ|), which hides A from A.
///
/// Δ = 3·ln N, so a witness is ≥ 3 ln N above the extra token and every other pair ≥ 3 ln N below it
/// (Alman–Yu put the extra token at the witness level and use 3 ln n between levels; halfway makes the
/// readout threshold 1/2 for every n, including n = 2, where their ℓ/n² < 1/(n+1) bound fails).
///
/// **Values and readout**: the value is `real_j`, so row i outputs the softmax mass on real vectors:
/// ≥ Y = 1/(1 + e^(−Δ)) if row i belongs to a witness, ≤ (N−1)·e^(−Δ) < 1/N² otherwise. The answer
/// is max over the rows of A ≥ 1/2.
///
/// **The diagonal** (one-set problems, i ≠ j). Self-attention also scores token i against itself, with
/// score(i, i) = ‖v_i‖² (inner product) or 1 (cosine). For OV and Min-IP_t that self-pair only fires if
/// ‖v_i‖² ≤ t, and then ⟨v_i, v_j⟩ ≤ ‖v_i‖² ≤ t for every j ≠ i, so the answer is yes anyway; for LSD_t it
/// fires only at t = 1, where every pair is a witness. Those keep the paper's unmasked attention. For
/// Max-IP_t and MSD_t the self-pair would fire whenever ‖v_i‖² ≥ t (always, for MSD), and no choice of
/// scores fixes that: without positions a token and an identical copy of it score alike, and the
/// witness term e^(β·t) drowns under e^(β·‖v_i‖²). There the diagonal is masked out (`masksSelf`, an
/// additive −∞ on i = j of the standard attention mask), which is exactly the problem's i ≠ j.
public struct PairConstruction: Sendable {
    public let problem: HardnessProblem
    /// The one attention unit.
    public let model: AttentionUnitModel
    /// X `[N, m]`, in Float64 (the Float32 run rounds it).
    public let tokens: Tensor<Double>
    /// Rows read (the vectors of A): 0..<|A|.
    public let readRows: Int
    /// The logit distance Δ = 3·ln N between the extra token and either level.
    public let delta: Double
    /// The score scale β = 2Δ/g.
    public let beta: Double
    /// The gap g between the witness and non-witness levels (1 for inner products; see `ThresholdPlacement`).
    public let gap: Double
    /// The dimension d of the vectors.
    public let dimension: Int

    /// Builds the construction for a pair problem; throws what `validate()` throws, and
    /// `ConstructionError.dimensionTooLarge` when the head dimension d + 3 would exceed 256.
    public init(_ instance: HardnessInstance) throws {
        try instance.validate()
        let problem = instance.problem
        precondition(problem.score != .tripleProduct, "3-OV is built by ThreeOVConstruction")
        let d = instance.dimension, bichromatic = !problem.isMonochromatic
        guard d + 3 <= 256 else { throw ConstructionError.dimensionTooLarge(problem: problem, dimension: d, limit: 253) }
        let t = problem.effectiveThreshold(instance.threshold)
        let s: Double = problem.comparison == .atLeast ? 1 : -1
        let n = instance.a.rows + (instance.b?.rows ?? 0) + 1
        let cosine = problem.score == .cosine
        let placement = cosine
            ? try ThresholdPlacement.cosine(threshold: t, comparison: problem.comparison, dimension: d)
            : ThresholdPlacement.innerProduct(threshold: t, comparison: problem.comparison)
        let delta = 3 * log(Double(n)), beta = 2 * delta / placement.gap
        let penalty = 2 * delta + beta * (cosine ? 2 : Double(d + 1))

        // Columns of a token: u (0..<d), const (d), real (d + 1), sideA (d + 2, bichromatic only).
        let (constant, real, side) = (d, d + 1, d + 2)
        let m = d + (bichromatic ? 3 : 2), k = d + (bichromatic ? 2 : 1)
        var query = Tensor<Double>(zeros: [m, k]), key = Tensor<Double>(zeros: [m, k])
        var value = Tensor<Double>(zeros: [m, 1])
        for q in 0..<d {
            query[q, q] = s * beta
            key[q, q] = 1
        }
        query[constant, d] = 1
        key[real, d] = -s * beta * placement.threshold
        if bichromatic {
            query[side, d + 1] = -penalty
            key[side, d + 1] = 1
        }
        value[real, 0] = 1
        let masksSelf = problem.isMonochromatic && problem.comparison == .atLeast

        var x = [Double](repeating: 0, count: n * m)
        var row = 0
        for (set, matrix) in [instance.a, instance.b].compactMap({ $0 }).enumerated() {
            for i in 0..<matrix.rows {
                let scale = cosine ? 1 / Double(matrix.popcount(row: i)).squareRoot() : 1
                for q in 0..<d where matrix[i, q] { x[row * m + q] = scale }
                x[row * m + constant] = 1
                x[row * m + real] = 1
                if bichromatic && set == 0 { x[row * m + side] = 1 }
                row += 1
            }
        }
        x[row * m + constant] = 1  // the extra token

        self.problem = problem
        self.model = AttentionUnitModel(queryWeight: query, keyWeight: key, valueWeight: value, masksSelf: masksSelf)
        self.tokens = Tensor(shape: [n, m], elements: x)
        self.readRows = instance.a.rows
        self.delta = delta
        self.beta = beta
        self.gap = placement.gap
        self.dimension = d
    }

    /// The transformer's size: N tokens, one layer, one head, embedding m.
    public var shape: ModelShape {
        ModelShape(tokens: tokens.shape[0], layers: 1, heads: 1, embedding: tokens.shape[1])
    }

    /// The readout levels: yes ≥ 1/(1 + e^(−Δ)), no ≤ (N−1)·e^(−Δ), threshold 1/2.
    var levels: ReadoutLevels {
        let n = Double(tokens.shape[0])
        return ReadoutLevels(yes: 1 / (1 + exp(-delta)), no: (n - 1) * exp(-delta), threshold: 0.5)
    }

    /// float32 unless g < `HardnessConstruction.float32SafeGap(dimension: d)` (cosines only).
    public var defaultPrecision: ConstructionPrecision {
        gap >= HardnessConstruction.float32SafeGap(dimension: dimension) ? .float32 : .float64
    }

    /// Runs the transformer in `precision` and reads the answer. Cost: see `AttentionUnitModel.forward`.
    public func run(precision: ConstructionPrecision, threads: Int = Parallelism.defaultThreads) throws -> ConstructionResult {
        let start = monotonicSeconds()
        let outputs: [Double]
        switch precision {
        case .float32:
            outputs = try model.forward(tokens.converted(to: Float.self), threads: threads).elements.map(Double.init)
        case .float64:
            outputs = try model.forward(tokens).elements
        }
        return levels.result(reading: Array(outputs.prefix(readRows)), model: shape, precision: precision, startedAt: start)
    }

    /// Runs the same tokens, weights and read-out with `attention` in place of exact softmax (fp32).
    /// Throws `ConstructionError.selfMaskNeedsExactAttention` for the self-masking one-set problems.
    public func run(attention: AttentionKernel) throws -> ConstructionResult {
        let start = monotonicSeconds()
        let outputs = try model.forward(tokens.converted(to: Float.self), attention: attention).elements.map(Double.init)
        return levels.result(reading: Array(outputs.prefix(readRows)), model: shape, precision: .float32, startedAt: start)
    }
}
