/// Global-norm gradient clipping (`torch.nn.utils.clip_grad_norm_`): when ‖g‖₂ over all parameters
/// exceeds `maximum`, every gradient is scaled by maximum/‖g‖₂. Returns the norm before clipping.
/// The norm is accumulated in Double. Cost O(count).
@discardableResult
func clipGradientNorm(_ gradients: UnsafeMutablePointer<Float>, count: Int, maximum: Float) -> Double {
    var squares = 0.0
    for i in 0..<count { squares += Double(gradients[i]) * Double(gradients[i]) }
    let norm = squares.squareRoot()
    if norm > Double(maximum) {
        let factor = Float(Double(maximum) / (norm + 1e-6))
        for i in 0..<count { gradients[i] *= factor }
    }
    return norm
}
