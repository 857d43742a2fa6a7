/// The model's L blocks between the sequence assembly and the final norm, as one unit: the standard
/// residual stream (`SequentialBlocks`), or a variant that routes tokens or mixes the stream across
/// depth. `Network` owns one and calls it like a layer.
///
/// Shapes: x, y `[B, N, m]`. `forward` keeps what `backward` needs; `backward` adds parameter gradients
/// to `context.gradients` and returns dx; `reference` is the Float64 forward for gradient checks.
protocol BlockStack: AnyObject {
    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float>
    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float>
    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double]
}

/// The block stack `model` describes, with buffers for `batch` examples; registers its parameters.
func makeBlockStack(model: ModelDescription, batch: Int, parameters: ParameterStore) -> any BlockStack {
    if let mode = model.attentionResiduals { return AttentionResidualBlocks(model: model, mode: mode, batch: batch, parameters: parameters) }
    if let routing = model.routing { return RoutedBlocks(model: model, routing: routing, batch: batch, parameters: parameters) }
    if let depth = model.depthAttention { return DepthAttentionBlocks(model: model, depth: depth, batch: batch, parameters: parameters) }
    return SequentialBlocks(model: model, batch: batch, parameters: parameters)
}

/// The standard stack: each block's {mixer, optional MLP} sub-layers in order, each a `ResidualUnit`
/// with the model's norm placement and residual. Cost: the sub-layers' costs.
final class SequentialBlocks: BlockStack {
    let units: [ResidualUnit]

    /// Registers `blocks.{l}.mixer.*` and `blocks.{l}.mlp.*` for l in 0..<L.
    init(model: ModelDescription, batch: Int, parameters: ParameterStore) {
        units = (0..<model.layers).flatMap { layer in
            SequentialBlocks.block(layer, model: model, batch: batch, parameters: parameters)
        }
    }

    /// Block `layer`'s sub-layers: its mixer unit and, when the model has MLPs, its MLP unit.
    static func block(_ layer: Int, model: ModelDescription, batch: Int, parameters: ParameterStore) -> [ResidualUnit] {
        let (m, n) = (model.width, model.sequenceLength)
        let prefix = "blocks.\(layer)"
        let mixer = model.mixer.makeLayer("\(prefix).mixer", layer: layer, model: model, batch: batch, parameters: parameters)
        var units = [ResidualUnit("\(prefix).mixer", inner: mixer, placement: model.norm, kind: model.normKind,
                                  residual: model.residual, width: m, length: n, batch: batch, parameters: parameters)]
        if let hidden = model.mlpHidden {
            let mlp = FeedForwardLayer("\(prefix).mlp", width: m, hidden: hidden, activation: model.mlpActivation,
                                       length: n, batch: batch, parameters: parameters)
            units.append(ResidualUnit("\(prefix).mlp", inner: mlp, placement: model.norm, kind: model.normKind,
                                      residual: model.residual, width: m, length: n, batch: batch, parameters: parameters))
        }
        return units
    }

    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        units.reduce(x) { y, unit in unit.forward(y, batch: batch, context) }
    }

    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        units.reversed().reduce(dy) { dx, unit in unit.backward(dx, batch: batch, context) }
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        units.reduce(x) { y, unit in unit.reference(y, batch: batch, parameters: parameters) }
    }
}
