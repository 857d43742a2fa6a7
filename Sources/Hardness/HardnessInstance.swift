/// One instance of a hardness problem: its sets of 0/1 vectors and, if the problem has one, its threshold.
///
/// A value does not check itself on construction (data from files may be anything); call `validate()`
/// before solving. The solvers and generators validate for you.
public struct HardnessInstance: Sendable, Equatable {
    public var problem: HardnessProblem
    /// Set A (the only set of one-set problems), one vector per row.
    public var a: BinaryMatrix
    /// Set B, for two- and three-set problems.
    public var b: BinaryMatrix?
    /// Set C, for 3-OV: one vector per head of the construction.
    public var c: BinaryMatrix?
    /// t: an integer in 0…d for inner products, a real in [0, 1] for cosines; nil for the OV problems.
    public var threshold: Double?

    public init(problem: HardnessProblem, a: BinaryMatrix, b: BinaryMatrix? = nil, c: BinaryMatrix? = nil,
                threshold: Double? = nil) {
        self.problem = problem
        self.a = a
        self.b = b
        self.c = c
        self.threshold = threshold
    }

    /// The dimension d of the vectors (that of A).
    public var dimension: Int { a.columns }

    /// The sets present, with their names: [("A", a), ("B", b)?, ("C", c)?].
    public var namedSets: [(name: String, matrix: BinaryMatrix)] {
        [("A", a)] + (b.map { [("B", $0)] } ?? []) + (c.map { [("C", $0)] } ?? [])
    }

    /// Throws the first reason the instance is invalid: missing or extra sets, dimension 0 or mismatched
    /// dimensions, empty sets, fewer than 2 vectors in a one-set problem, |A| ≠ |B| for 3-OV, zero vectors in
    /// a cosine problem, or a threshold that is missing, extra, not finite, not an integer (inner products)
    /// or outside its range (0…d, or [0, 1] for cosines). Cost O(n·d/64) for the zero-vector check.
    public func validate() throws {
        try validateSets()
        try HardnessInstance.validate(threshold: threshold, for: problem, dimension: dimension)
    }

    /// `validate()` plus the shape of the 3-OV construction: layers ≥ 1, heads ≥ 1 and |C| = layers × heads.
    /// Throws `modelShapeNotApplicable` for every other problem (their construction is one layer, one head).
    public func validate(layers: Int, heads: Int) throws {
        guard problem == .threeOV else { throw HardnessError.modelShapeNotApplicable(problem: problem) }
        try validate()
        guard layers >= 1, heads >= 1 else { throw HardnessError.invalidModelShape(layers: layers, heads: heads) }
        let setSize = c?.rows ?? 0
        guard setSize == layers * heads else {
            throw HardnessError.headCountMismatch(setSize: setSize, layers: layers, heads: heads)
        }
    }

    /// Everything `validate()` checks except the threshold (what the optimisation forms need).
    func validateSets() throws {
        let given = [b != nil, c != nil]
        for (index, name) in ["B", "C"].enumerated() {
            let needed = problem.setCount > index + 1
            if needed && !given[index] { throw HardnessError.missingSet(problem: problem, set: name) }
            if !needed && given[index] { throw HardnessError.unexpectedSet(problem: problem, set: name) }
        }
        guard dimension >= 1 else { throw HardnessError.zeroDimension }
        for (name, matrix) in namedSets {
            guard matrix.columns == dimension else {
                throw HardnessError.dimensionMismatch(set: name, dimension: matrix.columns, expected: dimension)
            }
            guard matrix.rows >= 1 else { throw HardnessError.emptySet(set: name) }
        }
        if problem.isMonochromatic && a.rows < 2 {
            throw HardnessError.tooFewVectors(set: "A", count: a.rows)
        }
        if problem == .threeOV, let b, a.rows != b.rows {
            throw HardnessError.setSizeMismatch(a: a.rows, b: b.rows)
        }
        if problem.score == .cosine {
            for (name, matrix) in namedSets {
                if let row = (0..<matrix.rows).first(where: { matrix.popcount(row: $0) == 0 }) {
                    throw HardnessError.zeroVector(set: name, row: row)
                }
            }
        }
    }

    /// Throws if `threshold` is missing, extra, not finite, not an integer (inner products) or outside the
    /// range of `problem` at `dimension`.
    static func validate(threshold: Double?, for problem: HardnessProblem, dimension: Int) throws {
        guard let range = problem.thresholdRange(dimension: dimension) else {
            if threshold != nil { throw HardnessError.unexpectedThreshold(problem: problem) }
            return
        }
        guard let t = threshold else { throw HardnessError.missingThreshold(problem: problem) }
        let integral = problem.needsIntegerThreshold
        guard t.isFinite, range.contains(t), !integral || t == t.rounded() else {
            let allowed = integral ? "an integer in 0…\(dimension) (the dimension)" : "a real number in [0, 1]"
            throw HardnessError.thresholdOutOfRange(problem: problem, threshold: t, allowed: allowed)
        }
    }
}
