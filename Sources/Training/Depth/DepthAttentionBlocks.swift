/// The blocks of a MoDA model (Mixture-of-Depths Attention, SCIENCE.md §5): the standard residual stream
/// of {attention, MLP} units with the model's norm placement, where each attention layer's queries also
/// attend to the depth slots of their own token — the K/V every earlier attention layer (and, with
/// `feedForwardSlots`, every earlier MLP's K/V projection) produced for it — in one softmax with the
/// causal sequence keys.
///
/// Shapes: x, y `[B, N, m]`. Slots: attention layer l reads S = l (or 2l with MLP slots) slots.
/// Cost: the standard stack's plus Σ_l 4·B·H·N·S_l·d = O(B·N·L²·H·d) FLOPs for the slots forward (the
/// paper's O(T·L²·D) prefill term), the MLP K/V projections, and gathering the slots.
final class DepthAttentionBlocks: BlockStack {
    let cache: DepthCache
    let units: [ResidualUnit]
    /// The attention layers in order, for the depth-mass diagnostic.
    let attentionLayers: [DepthAttentionLayer]

    /// Registers `blocks.{l}.mixer.*`, `blocks.{l}.mlp.*` and with MLP slots `blocks.{l}.mlp.depth_kv.*`.
    init(model: ModelDescription, depth: DepthAttentionDescription, batch: Int, parameters: ParameterStore) {
        let (m, n) = (model.width, model.sequenceLength)
        let cache = DepthCache(slots: depth.slotCount(layers: model.layers, hasMLP: model.mlpHidden != nil),
                               heads: model.heads, length: n, headDimension: model.headDimension, batch: batch)
        var units: [ResidualUnit] = []
        var attention: [DepthAttentionLayer] = []
        var nextSlot = 0
        func takeSlot() -> Int { defer { nextSlot += 1 }; return nextSlot }
        func unit(_ name: String, _ inner: any SequenceLayer) -> ResidualUnit {
            ResidualUnit(name, inner: inner, placement: model.norm, kind: model.normKind, residual: model.residual,
                         width: m, length: n, batch: batch, parameters: parameters)
        }
        for layer in 0..<model.layers {
            let prefix = "blocks.\(layer)"
            let mixer = DepthAttentionLayer("\(prefix).mixer", slot: takeSlot(), cache: cache, width: m,
                                            mask: model.causal ? .causal : .none, batch: batch, parameters: parameters)
            attention.append(mixer)
            units.append(unit("\(prefix).mixer", mixer))
            guard let hidden = model.mlpHidden else { continue }
            let mlp: any SequenceLayer = depth.feedForwardSlots
                ? DepthFeedForwardLayer("\(prefix).mlp", slot: takeSlot(), cache: cache, width: m, hidden: hidden,
                                        activation: model.mlpActivation, batch: batch, parameters: parameters)
                : FeedForwardLayer("\(prefix).mlp", width: m, hidden: hidden, activation: model.mlpActivation, length: n,
                                   batch: batch, parameters: parameters)
            units.append(unit("\(prefix).mlp", mlp))
        }
        self.cache = cache
        self.units = units
        attentionLayers = attention
    }

    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        units.reduce(x) { y, unit in unit.forward(y, batch: batch, context) }
    }

    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        cache.clearGradients()
        return units.reversed().reduce(dy) { dx, unit in unit.backward(dx, batch: batch, context) }
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        cache.clearReference()
        return units.reduce(x) { y, unit in unit.reference(y, batch: batch, parameters: parameters) }
    }

    /// Per attention layer, the mean share of softmax probability on depth slots in the last forward pass
    /// over `batch` examples (0 for the first layer).
    func depthMassShares(batch: Int) -> [Double] {
        attentionLayers.map { $0.depthMassShare(batch: batch) }
    }
}
