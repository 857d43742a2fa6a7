/// Where a block's norms sit.
public enum NormPlacement: String, Codable, Sendable, CaseIterable {
    /// x + f(norm(x)) (GPT-2), with a final norm before the output head.
    case pre
    /// norm(x + f(x)) (the original transformer).
    case post
    /// x + f(x): no norm at all (Yu et al.'s D-retrieval model).
    case none
}

/// One sub-layer of a block with its norm and residual: `x + f(norm(x))`, `norm(x + f(x))` or
/// `x + f(x)`, each without the `x +` when the residual is off.
///
/// Shapes: x, y `[B, N, m]`. Cost: f's plus O(B·N·m) for the norm and the residual sum.
final class ResidualUnit {
    let inner: any SequenceLayer
    let norm: NormLayer?
    let placement: NormPlacement
    let residual: Bool
    let count: Int
    let length: Int
    /// `[B·N·m]`: the residual sum (forward) and dx (backward).
    private let sum: FloatBuffer
    private let gradSum: FloatBuffer

    init(_ name: String, inner: any SequenceLayer, placement: NormPlacement, kind: NormKind, residual: Bool,
         width: Int, length: Int, batch: Int, parameters: ParameterStore) {
        self.inner = inner
        self.placement = placement
        self.residual = residual
        self.length = length
        count = width * length
        norm = placement == .none ? nil
            : NormLayer("\(name).norm", kind: kind, width: width, rows: batch * length, parameters: parameters)
        sum = FloatBuffer(count: batch * count)
        gradSum = FloatBuffer(count: batch * count)
    }

    func forward(_ x: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * length
        switch placement {
        case .pre:
            let update = inner.forward(norm!.forward(x, rows: rows, context), batch: batch, context)
            return residualSum(x, update, batch: batch)
        case .post:
            let update = inner.forward(x, batch: batch, context)
            return norm!.forward(residualSum(x, update, batch: batch), rows: rows, context)
        case .none:
            return residualSum(x, inner.forward(x, batch: batch, context), batch: batch)
        }
    }

    func backward(_ dy: UnsafePointer<Float>, batch: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let rows = batch * length
        switch placement {
        case .pre:
            let dNormed = inner.backward(dy, batch: batch, context)
            return residualSum(dy, norm!.backward(dNormed, rows: rows, context), batch: batch, into: gradSum)
        case .post:
            let dSum = norm!.backward(dy, rows: rows, context)
            return residualSum(dSum, inner.backward(dSum, batch: batch, context), batch: batch, into: gradSum)
        case .none:
            return residualSum(dy, inner.backward(dy, batch: batch, context), batch: batch, into: gradSum)
        }
    }

    /// `identity + update` into `target` (the forward sum by default), or `update` itself without a residual.
    private func residualSum(_ identity: UnsafePointer<Float>, _ update: UnsafeMutablePointer<Float>, batch: Int,
                             into target: FloatBuffer? = nil) -> UnsafeMutablePointer<Float> {
        guard residual else { return update }
        let y = (target ?? sum).pointer
        for i in 0..<(batch * count) { y[i] = identity[i] + update[i] }
        return y
    }

    func reference(_ x: [Double], batch: Int, parameters p: [Double]) -> [Double] {
        let rows = batch * length
        func add(_ a: [Double], _ b: [Double]) -> [Double] { residual ? zip(a, b).map(+) : b }
        switch placement {
        case .pre:
            return add(x, inner.reference(norm!.reference(x, rows: rows, parameters: p), batch: batch, parameters: p))
        case .post:
            return norm!.reference(add(x, inner.reference(x, batch: batch, parameters: p)), rows: rows, parameters: p)
        case .none:
            return add(x, inner.reference(x, batch: batch, parameters: p))
        }
    }
}
