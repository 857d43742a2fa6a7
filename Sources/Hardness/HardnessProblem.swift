/// The problems whose hardness the papers reduce to transformers (SCIENCE.md §1.1, §2).
///
/// Every problem asks whether a *witness* exists: a pair (i, j) — i ≠ j within set A for the one-set
/// problems, a ∈ A and b ∈ B for the bichromatic ones — or a triple (a, b, c) for 3-OV, whose score
/// (inner product, cosine, or triple product) is `≤ t` or `≥ t`. Raw values are the CLI names.
public enum HardnessProblem: String, CaseIterable, Codable, Sendable {
    /// OV: i ≠ j in A with ⟨a_i, a_j⟩ = 0.
    case ov = "ov"
    /// Bichromatic OV: a ∈ A, b ∈ B with ⟨a, b⟩ = 0.
    case bichromaticOV = "bichromatic-ov"
    /// 3-OV: a ∈ A, b ∈ B, c ∈ C with Σ_q a[q]·b[q]·c[q] = 0.
    case threeOV = "3ov"
    /// Max-IP_t: i ≠ j in A with ⟨a_i, a_j⟩ ≥ t.
    case maxIP = "max-ip"
    /// Min-IP_t: i ≠ j in A with ⟨a_i, a_j⟩ ≤ t.
    case minIP = "min-ip"
    /// Bichromatic Max-IP_t: a ∈ A, b ∈ B with ⟨a, b⟩ ≥ t.
    case bichromaticMaxIP = "bichromatic-max-ip"
    /// Bichromatic Min-IP_t: a ∈ A, b ∈ B with ⟨a, b⟩ ≤ t.
    case bichromaticMinIP = "bichromatic-min-ip"
    /// MSD_t: i ≠ j in A with cos(a_i, a_j) ≥ t.
    case msd = "msd"
    /// LSD_t: i ≠ j in A with cos(a_i, a_j) ≤ t.
    case lsd = "lsd"
    /// Bichromatic MSD_t: a ∈ A, b ∈ B with cos(a, b) ≥ t.
    case bichromaticMSD = "bichromatic-msd"
    /// Bichromatic LSD_t: a ∈ A, b ∈ B with cos(a, b) ≤ t.
    case bichromaticLSD = "bichromatic-lsd"

    /// What a witness's score is.
    public enum Score: Sendable {
        /// ⟨a, b⟩, an integer in 0…d.
        case innerProduct
        /// ⟨a, b⟩ / (‖a‖·‖b‖), in [0, 1]; undefined for zero vectors.
        case cosine
        /// Σ_q a[q]·b[q]·c[q], an integer in 0…d.
        case tripleProduct
    }

    /// Which side of the threshold a witness's score lies on.
    public enum Comparison: Sendable {
        /// score ≥ t (Max-IP, MSD).
        case atLeast
        /// score ≤ t (OV, 3-OV and Min-IP with t = 0 for the OV ones; LSD).
        case atMost
    }

    /// Number of sets: 1 (A), 2 (A, B) or 3 (A, B, C).
    public var setCount: Int {
        switch self {
        case .ov, .maxIP, .minIP, .msd, .lsd: return 1
        case .bichromaticOV, .bichromaticMaxIP, .bichromaticMinIP, .bichromaticMSD, .bichromaticLSD: return 2
        case .threeOV: return 3
        }
    }

    /// One-set problems pair distinct vectors i ≠ j of A.
    public var isMonochromatic: Bool { setCount == 1 }

    /// What a witness's score is.
    public var score: Score {
        switch self {
        case .threeOV: return .tripleProduct
        case .msd, .lsd, .bichromaticMSD, .bichromaticLSD: return .cosine
        case .ov, .bichromaticOV, .maxIP, .minIP, .bichromaticMaxIP, .bichromaticMinIP: return .innerProduct
        }
    }

    /// Whether a witness's score is ≥ t or ≤ t.
    public var comparison: Comparison {
        switch self {
        case .maxIP, .bichromaticMaxIP, .msd, .bichromaticMSD: return .atLeast
        case .ov, .bichromaticOV, .threeOV, .minIP, .bichromaticMinIP, .lsd, .bichromaticLSD: return .atMost
        }
    }

    /// Whether the instance carries a threshold t (the OV problems have t = 0 built in).
    public var needsThreshold: Bool {
        switch self {
        case .ov, .bichromaticOV, .threeOV: return false
        default: return true
        }
    }

    /// The threshold the decision compares against: the instance's t, or 0 for the OV problems.
    func effectiveThreshold(_ threshold: Double?) -> Double {
        needsThreshold ? threshold ?? 0 : 0
    }

    /// The valid thresholds at dimension d: integers 0…d for inner products, reals in [0, 1] for cosines;
    /// nil when the problem takes no threshold.
    public func thresholdRange(dimension: Int) -> ClosedRange<Double>? {
        guard needsThreshold else { return nil }
        return score == .cosine ? 0...1 : 0...Double(dimension)
    }

    /// Whether t must be an integer (inner-product thresholds).
    public var needsIntegerThreshold: Bool { needsThreshold && score == .innerProduct }

    /// The optimisation form: the best score is the maximum (Max-IP, MSD) or the minimum (the others).
    public var optimumGoal: OptimumGoal { comparison == .atLeast ? .maximum : .minimum }

    /// A one-line description for help texts.
    public var summary: String {
        switch self {
        case .ov: return "OV: is there i ≠ j in A with ⟨a_i, a_j⟩ = 0?"
        case .bichromaticOV: return "bichromatic OV: is there a ∈ A, b ∈ B with ⟨a, b⟩ = 0?"
        case .threeOV: return "3-OV: is there a ∈ A, b ∈ B, c ∈ C with Σ a·b·c = 0? (|A| = |B|, |C| = layers × heads)"
        case .maxIP: return "Max-IP_t: is there i ≠ j in A with ⟨a_i, a_j⟩ ≥ t? (t integer in 0…d)"
        case .minIP: return "Min-IP_t: is there i ≠ j in A with ⟨a_i, a_j⟩ ≤ t? (t integer in 0…d)"
        case .bichromaticMaxIP: return "bichromatic Max-IP_t: is there a ∈ A, b ∈ B with ⟨a, b⟩ ≥ t? (t integer in 0…d)"
        case .bichromaticMinIP: return "bichromatic Min-IP_t: is there a ∈ A, b ∈ B with ⟨a, b⟩ ≤ t? (t integer in 0…d)"
        case .msd: return "MSD_t: is there i ≠ j in A with cos(a_i, a_j) ≥ t? (t in [0, 1], no zero rows)"
        case .lsd: return "LSD_t: is there i ≠ j in A with cos(a_i, a_j) ≤ t? (t in [0, 1], no zero rows)"
        case .bichromaticMSD: return "bichromatic MSD_t: is there a ∈ A, b ∈ B with cos(a, b) ≥ t? (t in [0, 1])"
        case .bichromaticLSD: return "bichromatic LSD_t: is there a ∈ A, b ∈ B with cos(a, b) ≤ t? (t in [0, 1])"
        }
    }
}
