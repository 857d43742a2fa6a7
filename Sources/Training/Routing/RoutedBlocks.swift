/// The Mixture-of-Depths stack (SCIENCE.md §5): the model's blocks in order, every `routing.every`-th one
/// a `RoutedBlock` (k = ceil(C·N) tokens through it), the others standard blocks (`SequentialBlocks.block`).
///
/// Shapes: x, y `[B, N, m]`. Cost: the standard blocks' costs + the routed blocks' (see `RoutedBlock`).
final class RoutedBlocks: BlockStack {
    private enum Stage {
        case standard([ResidualUnit])
        case routed(RoutedBlock)
    }

    private let stages: [Stage]
    /// The routed blocks, in depth order.
    let routed: [RoutedBlock]

    init(model: ModelDescription, routing: RoutingDescription, batch: Int, parameters: ParameterStore) {
        stages = (0..<model.layers).map { layer in
            routing.routes(layer)
                ? .routed(RoutedBlock(layer, model: model, routing: routing, batch: batch, parameters: parameters))
                : .standard(SequentialBlocks.block(layer, model: model, batch: batch, parameters: parameters))
        }
        routed = stages.compactMap { if case .routed(let block) = $0 { block } else { nil } }
    }

    /// Whether the routed blocks pick tokens by their predictors' causal rule (needs `routing.predictor`).
    var selectsCausally: Bool {
        get { routed.first?.selectsCausally ?? false }
        set { for block in routed { block.selectsCausally = newValue } }
    }

    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        stages.reduce(x) { y, stage in
            switch stage {
            case .standard(let units): units.reduce(y) { z, unit in unit.forward(z, batch: batch, context) }
            case .routed(let block): block.forward(y, batch: batch, context)
            }
        }
    }

    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        stages.reversed().reduce(dy) { dx, stage in
            switch stage {
            case .standard(let units): units.reversed().reduce(dx) { g, unit in unit.backward(g, batch: batch, context) }
            case .routed(let block): block.backward(dx, batch: batch, context)
            }
        }
    }

    func reference(_ x: [Double], batch: Int, parameters: [Double]) -> [Double] {
        stages.reduce(x) { y, stage in
            switch stage {
            case .standard(let units): units.reduce(y) { z, unit in unit.reference(z, batch: batch, parameters: parameters) }
            case .routed(let block): block.reference(y, batch: batch, parameters: parameters)
            }
        }
    }
}
