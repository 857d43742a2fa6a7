import Kernels

/// The answer of an exact brute-force solver to a decision problem.
public struct BruteForceResult: Sendable, Equatable {
    /// Whether a witness exists.
    public let answer: Bool
    /// The first witness in row-major order: [i, j] (indices into A, or into A and B) or [i, j, k] for 3-OV.
    public let witness: [Int]?
    /// The witness's score: its inner product or triple product, or its cosine (`Cosine.value`).
    public let value: Double?
}

/// The best score of an instance (the optimisation form of its problem) and the first pair or triple
/// reaching it.
public struct BruteForceOptimum: Sendable, Equatable {
    /// [i, j], or [i, j, k] for 3-OV.
    public let witness: [Int]
    /// The witness's inner product (triple product for 3-OV).
    public let product: Int
    /// The witness's exact cosine, for cosine problems.
    public let cosine: Cosine?

    /// The optimum as a number: the cosine's `value`, or the product.
    public var value: Double { cosine?.value ?? Double(product) }
}

/// Exact exhaustive solvers: bit-packed rows, 64-bit popcounts, all `threads` cores.
///
/// Pairs cost O(n²·⌈d/64⌉) and 3-OV O(|A|·|B|·|C|·⌈d/64⌉); decision scans stop after the first round of
/// rows holding a witness. Cosine thresholds are compared exactly (`Cosine`): MSD accepts cos ≥ t and
/// LSD cos ≤ t, ties included, with t the exact value of the `Double`.
public enum BruteForce {
    /// Decides the instance (after `validate()`, which it throws from) and returns the first witness.
    public static func solve(_ instance: HardnessInstance,
                             threads: Int = Parallelism.defaultThreads) throws -> BruteForceResult {
        try instance.validate()
        let problem = instance.problem
        if problem.score == .tripleProduct {
            let scan = TripleScan(a: instance.a, b: instance.b!, c: instance.c!, threads: threads)
            guard let triple = scan.firstOrthogonalTriple() else { return .noWitness }
            return BruteForceResult(answer: true, witness: [triple.i, triple.j, triple.k], value: 0)
        }
        let scan = PairScan(instance, threads: threads)
        let t = problem.effectiveThreshold(instance.threshold)
        let criterion = problem.score == .cosine
            ? PairCriterion(cosineThreshold: t, comparison: problem.comparison, left: scan.left, right: scan.right)
            : PairCriterion(innerProductThreshold: Int(t), comparison: problem.comparison,
                            leftRows: scan.left.rows, rightRows: scan.right.rows)
        guard let pair = scan.firstWitness(criterion) else { return .noWitness }
        let value = problem.score == .cosine
            ? Cosine(innerProduct: pair.innerProduct,
                     normProduct: scan.left.popcount(row: pair.i) * scan.right.popcount(row: pair.j)).value
            : Double(pair.innerProduct)
        return BruteForceResult(answer: true, witness: [pair.i, pair.j], value: value)
    }

    /// The optimisation form (threshold ignored): the largest inner product or cosine for Max-IP and MSD,
    /// the smallest for Min-IP, LSD and OV, the smallest triple product for 3-OV; throws what
    /// `validate()` throws about the sets.
    public static func optimum(_ instance: HardnessInstance,
                               threads: Int = Parallelism.defaultThreads) throws -> BruteForceOptimum {
        try instance.validateSets()
        let problem = instance.problem
        if problem.score == .tripleProduct {
            let triple = TripleScan(a: instance.a, b: instance.b!, c: instance.c!, threads: threads).minimumTriple()
            return BruteForceOptimum(witness: [triple.i, triple.j, triple.k], product: triple.product, cosine: nil)
        }
        let scan = PairScan(instance, threads: threads)
        let byCosine = problem.score == .cosine
        let leftNorms = byCosine ? scan.left.popcounts : [Int](repeating: 1, count: scan.left.rows)
        let rightNorms = byCosine ? scan.right.popcounts : [Int](repeating: 1, count: scan.right.rows)
        let pair = scan.best(goal: problem.optimumGoal, leftNorms: leftNorms, rightNorms: rightNorms)
        let cosine = byCosine
            ? Cosine(innerProduct: pair.innerProduct, normProduct: leftNorms[pair.i] * rightNorms[pair.j]) : nil
        return BruteForceOptimum(witness: [pair.i, pair.j], product: pair.innerProduct, cosine: cosine)
    }
}

extension BruteForceResult {
    /// "No witness".
    static let noWitness = BruteForceResult(answer: false, witness: nil, value: nil)
}
