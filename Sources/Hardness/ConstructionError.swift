/// Why an instance cannot be turned into its construction's transformer (beyond `HardnessError`, which
/// `validate()` throws for invalid instances).
public enum ConstructionError: Error, Equatable, CustomStringConvertible {
    /// The token or query/key width the construction needs at this dimension is above the attention
    /// kernel's 256.
    case dimensionTooLarge(problem: HardnessProblem, dimension: Int, limit: Int)
    /// The problem has no optimisation form built from its decision transformer (3-OV).
    case noOptimisationForm(problem: HardnessProblem)
    /// The achievable cosines on either side of the threshold are too close for a `Double` between them.
    case thresholdUnresolvable(threshold: Double, low: String, high: String)
    /// A construction that hides each token from itself (one-set Max-IP_t, MSD_t) was asked to run with a
    /// replaced attention step, which has no mask.
    case selfMaskNeedsExactAttention

    public var description: String {
        switch self {
        case let .dimensionTooLarge(problem, dimension, limit):
            return "the \(problem.rawValue) construction supports dimensions up to \(limit) (the attention kernel's "
                + "head dimension is at most 256), got d = \(dimension)"
        case let .noOptimisationForm(problem):
            return "\(problem.rawValue) has no optimisation form here: its transformer only decides Σ a·b·c = 0"
        case .selfMaskNeedsExactAttention:
            return "this construction masks each token from itself, which only exact attention can; use the bichromatic problem"
        case let .thresholdUnresolvable(threshold, low, high):
            return "threshold \(threshold) lies between the cosines \(low) and \(high), too close for a float64 "
                + "threshold between them"
        }
    }
}
