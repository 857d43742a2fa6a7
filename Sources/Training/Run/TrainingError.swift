/// Why training could not start, continue or finish; each reads as one line for the user.
public enum TrainingError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A size, rate or name that makes no sense (non-positive sizes, unknown task or mixer, …).
    case invalidOption(String)
    /// The loss became NaN or infinite at this step; the last good checkpoint is kept.
    case nonFiniteLoss(step: Int)
    /// The checkpoint directory holds a checkpoint of another model or configuration.
    case checkpointMismatch(String)
    /// The checkpoint file cannot be read or does not hold what a checkpoint must.
    case corruptCheckpoint(String)
    /// A text file for the text task cannot be read or is too short.
    case unreadableText(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): return message
        case .nonFiniteLoss(let step): return "the loss is not finite at step \(step); stopped (the last checkpoint is kept)"
        case .checkpointMismatch(let message): return message
        case .corruptCheckpoint(let message): return message
        case .unreadableText(let message): return message
        }
    }
}
