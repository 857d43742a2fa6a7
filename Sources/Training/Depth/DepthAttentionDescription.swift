/// The MoDA option of a model (`ModelDescription.depthAttention`): every attention layer also attends to
/// the depth slots earlier layers produced for each token (SCIENCE.md §5, `DepthAttentionBlocks`).
/// JSON: `{"feedForwardSlots": true}`.
public struct DepthAttentionDescription: Codable, Sendable, Equatable {
    /// Whether each block's MLP adds a slot too (a K/V projection of its input), besides the attention
    /// layers' own K/V.
    public var feedForwardSlots: Bool

    public init(feedForwardSlots: Bool) {
        self.feedForwardSlots = feedForwardSlots
    }

    /// Depth slots the model's layers produce: one per attention layer, plus one per MLP with
    /// `feedForwardSlots`. Attention layer l reads the slots produced before it.
    func slotCount(layers: Int, hasMLP: Bool) -> Int {
        layers * (feedForwardSlots && hasMLP ? 2 : 1)
    }

    /// Throws `TrainingError.invalidOption` when the model cannot carry depth keys.
    func validate(for model: ModelDescription) throws {
        guard model.mixer == .exact else {
            throw TrainingError.invalidOption("depth keys need the exact mixer, got --mixer \(model.mixer)")
        }
        if feedForwardSlots && model.mlpHidden == nil {
            throw TrainingError.invalidOption("depth FFN slots need blocks with an MLP; this model has none")
        }
    }
}
