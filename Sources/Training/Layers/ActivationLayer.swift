import Foundation
import Kernels

/// The elementwise non-linearities of the MLPs.
public enum TrainingActivation: String, Codable, Sendable, CaseIterable {
    /// max(0, x).
    case relu
    /// x·Φ(x), the exact (erf) GELU, PyTorch's `nn.GELU()` default.
    case gelu
    /// x·σ(x).
    case silu

    /// The Float64 reference f(x).
    func reference(_ x: Double) -> Double {
        switch self {
        case .relu: return max(0, x)
        case .gelu: return VectorMathReference.geluErf(x)
        case .silu: return VectorMathReference.silu(x)
        }
    }
}

/// y = f(x) elementwise over `[R, width]`. Cost O(R·width) (GELU/SiLU through the SIMD kernels).
final class ActivationLayer {
    let function: TrainingActivation
    let width: Int
    let output: FloatBuffer
    let gradInput: FloatBuffer
    private var input: UnsafePointer<Float>?

    init(_ function: TrainingActivation, width: Int, rows: Int) {
        self.function = function
        self.width = width
        output = FloatBuffer(count: rows * width)
        gradInput = FloatBuffer(count: rows * width)
    }

    @discardableResult
    func forward(_ x: UnsafePointer<Float>, rows: Int) -> UnsafeMutablePointer<Float> {
        input = x
        let y = output.pointer, count = rows * width
        switch function {
        case .relu: for i in 0..<count { y[i] = max(0, x[i]) }
        case .gelu: Activation.geluErf.apply(x, y, count: count)
        case .silu: Activation.silu.apply(x, y, count: count)
        }
        return y
    }

    /// dx = dy·f'(x).
    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, rows: Int) -> UnsafeMutablePointer<Float> {
        guard let x = input else { preconditionFailure("backward before forward") }
        let dx = gradInput.pointer, count = rows * width
        switch function {
        case .relu: for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : 0 }
        case .gelu: Activation.geluErf.backward(x, dy, dx, count: count)
        case .silu: Activation.silu.backward(x, dy, dx, count: count)
        }
        return dx
    }

    func reference(_ x: [Double]) -> [Double] { x.map(function.reference) }
}
