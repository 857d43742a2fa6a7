import Kernels

/// Decides hardness instances with the transformers of the papers' lower-bound proofs: the pair problems
/// with Alman & Yu's one attention unit (`PairConstruction`), 3-OV with the paper's sum-of-heads model
/// (`ThreeOVConstruction`). Both run through the same attention kernels users call.
///
/// **Default precision** (from `PrecisionStudy`, see the README's precision table): float32, our engine,
/// for every construction, except a cosine problem (MSD_t, LSD_t) whose witness and non-witness levels
/// (`ThresholdPlacement`) lie closer than `float32SafeGap(dimension:)`: there the fp32 rounding of the
/// normalised vectors and of the scores (up to ≈ (d + 3)·2⁻²⁴ in cosine units) approaches the gap, and
/// the construction runs in Float64 through the reference attention instead. Inner products and 3-OV have
/// integer scores (gap 1): fp32 is exact enough at every n and d the kernel takes.
public enum HardnessConstruction {
    /// The smallest cosine gap g (between the levels of `Cosine.levels`) at which float32 is the default at
    /// dimension d: 8·(d + 3)·2⁻²⁴ ≈ (d + 3)·4.8e-7. fp32 rounds each of the ≤ d + 3 terms of a score and its
    /// partial sums, a score error of at most about (d + 3)·2⁻²⁴; a witness or non-witness, g/2 from the
    /// construction's threshold τ, changes sides once that error reaches g/2, so the rule keeps a factor 4. The precision
    /// study finds fp32 right down to g ≈ 4.6e-7 at d = 48 and wrong at g ≈ 9e-8 (d = 64): the rule is
    /// conservative (measured errors are far below the bound) and sends only rare thresholds to Float64.
    public static func float32SafeGap(dimension d: Int) -> Double {
        Double(8 * (d + 3)) * 0x1p-24
    }

    /// Decides `instance` with its construction.
    ///
    /// - Parameters:
    ///   - layers, heads: the 3-OV model's L × H (= |C|); by default 1 × |C|, or the other one of the two
    ///     from |C| when only one is given. Other problems take neither (their model is 1 × 1).
    ///   - precision: nil for the default (see the type's notes).
    /// - Throws: what `validate()` / `validate(layers:heads:)` throw, `ConstructionError`.
    public static func solve(_ instance: HardnessInstance, layers: Int? = nil, heads: Int? = nil,
                             precision: ConstructionPrecision? = nil,
                             threads: Int = Parallelism.defaultThreads) throws -> ConstructionResult {
        guard instance.problem == .threeOV else {
            if layers != nil || heads != nil { try instance.validate(layers: layers ?? 1, heads: heads ?? 1) }
            let construction = try PairConstruction(instance)
            return try construction.run(precision: precision ?? construction.defaultPrecision, threads: threads)
        }
        let setSize = instance.c?.rows ?? 0
        let l = layers ?? heads.map { setSize / max($0, 1) } ?? 1
        let h = heads ?? setSize / max(l, 1)
        return try ThreeOVConstruction(instance, layers: l, heads: h).run(precision: precision ?? .float32, threads: threads)
    }

    /// The precision `solve` uses by default for `instance`.
    public static func defaultPrecision(for instance: HardnessInstance) throws -> ConstructionPrecision {
        instance.problem == .threeOV ? .float32 : try PairConstruction(instance).defaultPrecision
    }

    /// The optimisation form of a pair problem — the largest inner product or cosine (Max-IP, MSD), the
    /// smallest (Min-IP, LSD, and OV as Min-IP) — by binary search (`searchOptimum`) over the decision
    /// transformer at the thresholds where its answer can change (`candidateThresholds`): ⌈log2(d + 2)⌉
    /// runs for inner products, ~log2(d³) for cosines. The instance's own threshold is ignored.
    /// - Throws: `ConstructionError.noOptimisationForm` for 3-OV, and what `solve` throws.
    public static func optimum(_ instance: HardnessInstance,
                               threads: Int = Parallelism.defaultThreads) throws -> ConstructionOptimum {
        let problem: HardnessProblem
        switch instance.problem {
        case .threeOV: throw ConstructionError.noOptimisationForm(problem: .threeOV)
        case .ov: problem = .minIP
        case .bichromaticOV: problem = .bichromaticMinIP
        default: problem = instance.problem
        }
        let start = monotonicSeconds()
        var results: [Double: ConstructionResult] = [:]
        let best = try searchOptimum(thresholds: candidateThresholds(for: problem, dimension: instance.dimension),
                                     goal: problem.optimumGoal) { t in
            var decision = instance
            decision.problem = problem
            decision.threshold = t
            let result = try solve(decision, threads: threads)
            results[t] = result
            return result.answer
        }
        return ConstructionOptimum(value: best, witness: best.flatMap { results[$0]?.witness }, decisions: results.count,
                                   seconds: monotonicSeconds() - start)
    }
}

/// The optimum of a pair problem as the decision transformers found it.
public struct ConstructionOptimum: Codable, Sendable, Equatable {
    /// The best score: an inner product, or the cosine rounded to the `Double` threshold that still
    /// accepts it. nil only if the transformer rejected every threshold (which exact arithmetic rules out).
    public let value: Double?
    /// The rows that fired at that threshold.
    public let witness: [Int]?
    /// Transformer runs the search made.
    public let decisions: Int
    /// Wall time of the whole search.
    public let seconds: Double
}
