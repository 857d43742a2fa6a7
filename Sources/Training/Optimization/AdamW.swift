import Foundation

/// AdamW's settings (Loshchilov & Hutter; PyTorch's defaults except the weight decay, which the
/// task presets choose).
public struct AdamWSettings: Codable, Sendable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Decoupled decay: each step multiplies decayed parameters by (1 − lr·weightDecay).
    public var weightDecay: Float

    public init(weightDecay: Float) { self.weightDecay = weightDecay }
}

/// AdamW with decoupled weight decay over a flat parameter buffer, as `torch.optim.AdamW`:
///
///     θ ← θ·(1 − lr·λ)  (decayed tensors only)
///     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
///     θ ← θ − lr·(m/(1 − β1ᵗ)) / (√(v/(1 − β2ᵗ)) + ε)
///
/// State: the two moment buffers (2 floats per parameter) and the step count t. Cost O(parameters).
final class AdamW {
    let settings: AdamWSettings
    let firstMoment: FloatBuffer
    let secondMoment: FloatBuffer
    /// Per parameter: 1 when it decays, else 0.
    private let decayMask: FloatBuffer

    init(settings: AdamWSettings, parameters: ParameterStore) {
        self.settings = settings
        firstMoment = FloatBuffer(count: parameters.count)
        secondMoment = FloatBuffer(count: parameters.count)
        decayMask = FloatBuffer(count: parameters.count)
        for entry in parameters.entries where entry.decays {
            (decayMask.pointer + entry.offset).update(repeating: 1, count: entry.count)
        }
    }

    /// One update with `gradients` at learning rate `rate`; `step` is t, counted from 1.
    func update(_ parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int, rate: Float, step: Int) {
        let (b1, b2) = (settings.beta1, settings.beta2)
        let correction1 = 1 - Float(Foundation.pow(Double(b1), Double(step)))
        let correction2 = 1 - Float(Foundation.pow(Double(b2), Double(step)))
        let stepSize = rate / correction1
        let decay = rate * settings.weightDecay
        let m = firstMoment.pointer, v = secondMoment.pointer, mask = decayMask.pointer
        for i in 0..<count {
            let g = gradients[i]
            parameters[i] *= 1 - decay * mask[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            parameters[i] -= stepSize * m[i] / ((v[i] / correction2).squareRoot() + settings.epsilon)
        }
    }
}
