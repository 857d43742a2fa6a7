/// A user-facing mixer error: one line saying what was expected and what came.
public enum MixerError: Error, Equatable, CustomStringConvertible {
    /// An input array is neither `[H, N, D]` nor `[B, H, N, D]`.
    case badRank(name: String, shape: [Int])
    /// Inputs whose shapes do not fit together or do not fit the mixer.
    case mismatch(String)
    /// A description field out of range (features 0, degree 0, window ≤ 0, …).
    case invalidParameter(String)
    /// A causal request to a mixer that cannot be causal, or the reverse.
    case unsupportedMasking(String)

    public var description: String {
        switch self {
        case .badRank(let name, let shape):
            return "\(name) has shape \(shape) (rank \(shape.count)); expected [H, N, D] or [B, H, N, D]"
        case .mismatch(let text), .invalidParameter(let text), .unsupportedMasking(let text):
            return text
        }
    }
}
