/// One Mixture-of-Depths block (SCIENCE.md §5): a router r = wᵀx scores every token, k = ceil(C·N) of them
/// are gathered in their original order, the block's {attention, MLP} sub-layers (pre-norm, with their
/// residuals) run on that k-token sequence (the causal mask over the k tokens), and each picked token
/// becomes x_i + r_i·f(X̃)_i with f(X̃) = block(X̃) − X̃; the other tokens pass unchanged. The router
/// learns through the product r_i·f.
///
/// Selection: top-k by r (ties to the lower position), k random tokens (`RoutingDescription.Mode.random`),
/// or, with `selectsCausally`, the predictor's rule (`TokenSelection.causal`; unused slots are zero rows
/// after the picked ones, which the causal mask keeps away from them). `reference` always uses the
/// training rule (top-k, or the last forward's random draw).
///
/// Shapes: x, y `[B, N, m]`; router scores `[B, N]`; gathered `[B, k, m]`.
/// Cost: the sub-layers at length k (projections and MLP ∝ k, attention ∝ k²) + router 2·B·N·m FLOPs
/// (+ the predictor's) + O(B·N·m) copies; `ModelDescription.forwardFLOPs` counts it exactly.
final class RoutedBlock {
    let layer: Int
    let routing: RoutingDescription
    let width: Int
    let length: Int
    /// k, the tokens processed per sequence.
    let selected: Int
    let router: LinearLayer
    let units: [ResidualUnit]
    let predictor: RoutingPredictor?
    /// Picks tokens by the predictor's causal rule instead of the training rule (sampling-time evaluation).
    var selectsCausally = false
    /// Forward passes run: numbers the random draws.
    private(set) var draws = 0
    /// `[B·k]` positions picked by the last forward, in order; −1 marks an unused slot.
    private(set) var positions: [Int]
    private let gathered: FloatBuffer
    /// `[B, k, m]`: f(X̃) = block(X̃) − X̃.
    private let update: FloatBuffer
    private let output: FloatBuffer
    private let gradInput: FloatBuffer
    /// `[B, N]`: dLoss/dr.
    private let gradScores: FloatBuffer
    /// `[B, k, m]`: r·dy on the picked rows, the gradient entering the sub-layers.
    private let gradGathered: FloatBuffer
    /// `[B, N]`: 1 where top-k picks the token (the predictor's target).
    private let membership: FloatBuffer

    /// Registers `blocks.{layer}.router.weight` ([m, 1], no bias), the block's sub-layers at length k,
    /// and with a predictor `blocks.{layer}.predictor.*`.
    init(_ layer: Int, model: ModelDescription, routing: RoutingDescription, batch: Int, parameters: ParameterStore) {
        self.layer = layer
        self.routing = routing
        let (m, n) = (model.width, model.sequenceLength)
        let k = routing.selected(of: n)
        width = m
        length = n
        selected = k
        router = LinearLayer("blocks.\(layer).router", input: m, output: 1, bias: false, rows: batch * n, parameters: parameters)
        var shortened = model
        shortened.tokens = k
        shortened.classToken = false
        shortened.routing = nil
        units = SequentialBlocks.block(layer, model: shortened, batch: batch, parameters: parameters)
        predictor = routing.predictor
            ? RoutingPredictor("blocks.\(layer).predictor", width: m, rows: batch * n, parameters: parameters) : nil
        positions = Array(repeating: -1, count: batch * k)
        gathered = FloatBuffer(count: batch * k * m)
        update = FloatBuffer(count: batch * k * m)
        output = FloatBuffer(count: batch * n * m)
        gradInput = FloatBuffer(count: batch * n * m)
        gradScores = FloatBuffer(count: batch * n)
        gradGathered = FloatBuffer(count: batch * k * m)
        membership = FloatBuffer(count: batch * n)
    }

    /// The positions the training rule picks in example `example` from its scores.
    private func trainingPick<Score: Comparable>(_ scores: [Score], example: Int) -> [Int] {
        switch routing.mode {
        case .learned: TokenSelection.topK(scores, selected)
        case .random: TokenSelection.random(length: length, selected, seed: routing.seed, block: layer, draw: draws,
                                            example: example)
        }
    }

    func forward(_ x: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let (m, n, k) = (width, length, selected)
        let scores = router.forward(x, rows: batch * n, context)
        let logits = predictor?.forward(x, rows: batch * n, context)
        draws += 1
        membership.pointer.update(repeating: 0, count: batch * n)
        for b in 0..<batch {
            let row = Array(UnsafeBufferPointer(start: scores + b * n, count: n))
            let top = TokenSelection.topK(row, k)
            for p in top { membership.pointer[b * n + p] = 1 }
            let picked = if let logits, selectsCausally {
                TokenSelection.causal(logits: Array(UnsafeBufferPointer(start: logits + b * n, count: n)), k)
            } else {
                trainingPick(row, example: b)
            }
            for j in 0..<k { positions[b * k + j] = j < picked.count ? picked[j] : -1 }
        }
        predictor?.score(membership: membership.pointer, rows: batch * n)
        gathered.pointer.update(repeating: 0, count: batch * k * m)
        forEachPicked(batch) { source, slot in (gathered.pointer + slot * m).update(from: x + source * m, count: m) }
        let y = units.reduce(gathered.pointer) { input, unit in unit.forward(input, batch: batch, context) }
        output.pointer.update(from: x, count: batch * n * m)
        forEachPicked(batch) { source, slot in
            let r = scores[source]
            for c in 0..<m {
                let f = y[slot * m + c] - gathered.pointer[slot * m + c]
                update.pointer[slot * m + c] = f
                output.pointer[source * m + c] += r * f
            }
        }
        return output.pointer
    }

    func backward(_ dy: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let (m, n, k) = (width, length, selected)
        let scores = router.output.pointer
        gradInput.pointer.update(from: dy, count: batch * n * m)
        gradScores.pointer.update(repeating: 0, count: batch * n)
        gradGathered.pointer.update(repeating: 0, count: batch * k * m)
        forEachPicked(batch) { source, slot in
            let r = scores[source]
            var dr: Float = 0
            for c in 0..<m {
                dr += dy[source * m + c] * update.pointer[slot * m + c]
                gradGathered.pointer[slot * m + c] = r * dy[source * m + c]
            }
            gradScores.pointer[source] = dr
        }
        let dGathered = units.reversed().reduce(gradGathered.pointer) { dx, unit in unit.backward(dx, batch: batch, context) }
        forEachPicked(batch) { source, slot in
            for c in 0..<m { gradInput.pointer[source * m + c] += dGathered[slot * m + c] - gradGathered.pointer[slot * m + c] }
        }
        let dRouter = router.backward(gradScores.pointer, rows: batch * n, context)!
        for i in 0..<(batch * n * m) { gradInput.pointer[i] += dRouter[i] }
        predictor?.backward(rows: batch * n, context)
        return gradInput.pointer
    }

    /// Calls `body(source row, gathered row)` for every used slot of the last forward, rows counted over the batch.
    private func forEachPicked(_ batch: Int, _ body: (Int, Int) -> Void) {
        for b in 0..<batch {
            for j in 0..<selected where positions[b * selected + j] >= 0 {
                body(b * length + positions[b * selected + j], b * selected + j)
            }
        }
    }

    func reference(_ x: [Double], batch: Int, parameters p: [Double]) -> [Double] {
        let (m, n, k) = (width, length, selected)
        let scores = router.reference(x, rows: batch * n, parameters: p)
        let picks = (0..<batch).map { b in trainingPick(Array(scores[(b * n)..<((b + 1) * n)]), example: b) }
        var gatheredRows = [Double](repeating: 0, count: batch * k * m)
        for (b, picked) in picks.enumerated() {
            for (j, source) in picked.enumerated() {
                for c in 0..<m { gatheredRows[(b * k + j) * m + c] = x[(b * n + source) * m + c] }
            }
        }
        let y = units.reduce(gatheredRows) { input, unit in unit.reference(input, batch: batch, parameters: p) }
        var result = x
        for (b, picked) in picks.enumerated() {
            for (j, source) in picked.enumerated() {
                let (row, slot) = (b * n + source, b * k + j)
                for c in 0..<m { result[row * m + c] += scores[row] * (y[slot * m + c] - gatheredRows[slot * m + c]) }
            }
        }
        return result
    }
}
