/// One row of the precision study: a family of instances of one problem at one size, each run through its
/// construction in Float32 (our engine) and Float64 (the references).
public struct PrecisionStudyCase: Sendable, Codable, Equatable {
    /// How the instances are made.
    public enum Kind: String, Sendable, Codable {
        /// Seeded planted instances (half yes, half no); the generator puts t half a gap from the optimum.
        case random
        /// Cosine problems only: one pair (n = 2, or 1 + 1 bichromatic) whose threshold is the midpoint of
        /// the two closest achievable cosines at dimension d, planted on either side: the smallest gap g
        /// that dimension allows, where fp32 rounding bites first.
        case closestCosines = "closest-cosines"
    }

    public let problem: HardnessProblem
    public let kind: Kind
    /// n, vectors per set (ignored by `closestCosines`).
    public let setSize: Int
    /// d; nil for the generator's default max(4, ⌈2·log2 n⌉).
    public let dimension: Int?
    /// |C| = L·H for 3-OV (run as one layer of |C| heads).
    public let thirdSetSize: Int
    /// Instances run (`closestCosines`: 2, one per side).
    public let instances: Int

    public init(problem: HardnessProblem, kind: Kind = .random, setSize: Int, dimension: Int? = nil,
                thirdSetSize: Int = 1, instances: Int = 6) {
        self.problem = problem
        self.kind = kind
        self.setSize = setSize
        self.dimension = dimension
        self.thirdSetSize = thirdSetSize
        self.instances = kind == .closestCosines ? 2 : instances
    }

    /// The default study: every construction on random instances at n = 8, 64, 512 (3-OV: N = 16, 128, 512
    /// with |C| = 4, 16), then the cosine constructions at their closest achievable cosines for d from 8
    /// to 128. Float64 runs materialise N² scores, so sizes stay ≤ ~1000 tokens.
    public static let defaultCases: [PrecisionStudyCase] = {
        var cases: [PrecisionStudyCase] = []
        for problem in HardnessProblem.allCases where problem != .threeOV {
            let dimension = problem.score == .cosine && problem.comparison == .atLeast ? 16 : nil
            for n in [8, 64, 512] {
                cases.append(PrecisionStudyCase(problem: problem, setSize: n, dimension: dimension))
            }
        }
        for (n, c) in [(16, 4), (128, 16), (512, 16)] {
            cases.append(PrecisionStudyCase(problem: .threeOV, setSize: n, dimension: n >= 128 ? 24 : nil, thirdSetSize: c))
        }
        for problem in [HardnessProblem.msd, .lsd, .bichromaticMSD, .bichromaticLSD] {
            for d in [8, 16, 24, 32, 48, 64, 96, 128] {
                cases.append(PrecisionStudyCase(problem: problem, kind: .closestCosines, setSize: 2, dimension: d))
            }
        }
        return cases
    }()
}

/// The outcome of one `PrecisionStudyCase`.
public struct PrecisionStudyRow: Sendable, Codable, Equatable {
    public let problem: HardnessProblem
    public let kind: PrecisionStudyCase.Kind
    /// n (vectors per set) and d of the instances.
    public let setSize: Int
    public let dimension: Int
    /// The largest score scale β the constructions used.
    public let beta: Double
    /// The smallest gap g between the witness and non-witness levels of a construction
    /// (`ThresholdPlacement`; 1 for inner products and 3-OV, whose scores are integers).
    public let gap: Double
    /// The smallest signed margin over the instances: the margin of `ConstructionResult`, negative when the
    /// answer was wrong (disagrees with brute force).
    public let minMarginFloat32: Double
    public let minMarginFloat64: Double
    /// Instances whose answer disagreed with brute force.
    public let wrongFloat32: Int
    public let wrongFloat64: Int
    public let instances: Int

    /// "float32" when fp32 answered every instance right with margin ≥ 0.25 (half the exact bound of the
    /// pair constructions); "float32 (thin margin)" when right with a smaller margin; "float64" when fp32
    /// answered wrong.
    public let verdict: String
    /// The precision(s) `HardnessConstruction` chose by default for the instances ("float32", "float64" or
    /// both, comma-separated).
    public let defaultPrecision: String

    enum CodingKeys: String, CodingKey {
        case problem, kind, dimension, beta, gap, instances, verdict
        case setSize = "set_size"
        case minMarginFloat32 = "min_margin_float32"
        case minMarginFloat64 = "min_margin_float64"
        case wrongFloat32 = "wrong_float32"
        case wrongFloat64 = "wrong_float64"
        case defaultPrecision = "default_precision"
    }

    public init(problem: HardnessProblem, kind: PrecisionStudyCase.Kind, setSize: Int, dimension: Int, beta: Double,
                gap: Double, minMarginFloat32: Double, minMarginFloat64: Double, wrongFloat32: Int, wrongFloat64: Int,
                instances: Int, defaultPrecision: String) {
        self.problem = problem
        self.kind = kind
        self.setSize = setSize
        self.dimension = dimension
        self.beta = beta
        self.gap = gap
        self.minMarginFloat32 = minMarginFloat32
        self.minMarginFloat64 = minMarginFloat64
        self.wrongFloat32 = wrongFloat32
        self.wrongFloat64 = wrongFloat64
        self.instances = instances
        self.defaultPrecision = defaultPrecision
        self.verdict = wrongFloat32 > 0 ? "float64" : (minMarginFloat32 >= 0.25 ? "float32" : "float32 (thin margin)")
    }
}
