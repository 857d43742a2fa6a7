import Foundation
import Kernels

/// The largest attention score |scale·⟨q, k⟩| inputs can produce, bounded by Cauchy–Schwarz:
/// |scale|·max‖q_i‖·max‖k_j‖ over the rows of the last dimension. Cost O(size of q and k).
enum ScoreRange {
    /// Scores up to this stay comfortably inside float32 through the softmax's max-subtraction.
    static let limit = Double(Float.greatestFiniteMagnitude) / 4

    /// Throws when the scores of `queries` and `keys` at `scale` (default 1/√D) could overflow float32.
    static func check(queries: Tensor<Float>, keys: Tensor<Float>, scale: Float?) throws {
        guard let d = queries.shape.last, d > 0 else { return }
        let effectiveScale = Double(scale ?? 1 / Float(d).squareRoot())
        let bound = abs(effectiveScale) * largestRowNorm(queries) * largestRowNorm(keys)
        guard bound <= limit else {
            throw CommandError("scores could reach \(String(format: "%.3g", bound)) (|scale| \(String(format: "%.3g", effectiveScale)) "
                + "× the largest query and key norms), beyond float32's range; use a smaller --scale or smaller inputs")
        }
    }

    /// max over rows of the Euclidean norm, in Float64.
    private static func largestRowNorm(_ tensor: Tensor<Float>) -> Double {
        guard let d = tensor.shape.last, d > 0 else { return 0 }
        var largest = 0.0
        tensor.withUnsafeBufferPointer { elements in
            for row in stride(from: 0, to: elements.count, by: d) {
                var sum = 0.0
                for x in elements[row..<row + d] { sum += Double(x) * Double(x) }
                largest = max(largest, sum.squareRoot())
            }
        }
        return largest
    }
}
