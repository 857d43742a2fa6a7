import Kernels
@testable import Attention

/// One attention configuration for the tests, with seeded unit-scale inputs.
struct AttentionCase: CustomStringConvertible, Sendable {
    var batch = 1, queryHeads = 1, keyValueHeads = 1
    var queryLength: Int, keyLength: Int, headDimension: Int
    var mask: MaskKind = .none
    var scale: Float? = nil
    var seed: UInt64 = 1

    enum MaskKind: Sendable, CustomStringConvertible {
        case none, causal, window(Int), additive, boolean
        var description: String {
            switch self {
            case .none: "none"
            case .causal: "causal"
            case .window(let w): "window:\(w)"
            case .additive: "additive"
            case .boolean: "boolean"
            }
        }
    }

    var description: String {
        "B=\(batch) Hq=\(queryHeads) Hkv=\(keyValueHeads) Nq=\(queryLength) Nkv=\(keyLength) D=\(headDimension) mask=\(mask) scale=\(scale.map { "\($0)" } ?? "default")"
    }

    var queries: Tensor<Float> { .normal([batch, queryHeads, queryLength, headDimension], seed: seed) }
    var keys: Tensor<Float> { .normal([batch, keyValueHeads, keyLength, headDimension], seed: seed + 1) }
    var values: Tensor<Float> { .normal([batch, keyValueHeads, keyLength, headDimension], seed: seed + 2) }
    var gradOutput: Tensor<Float> { .normal([batch, queryHeads, queryLength, headDimension], seed: seed + 3) }

    /// The mask; random masks drop about a third of the keys and leave some rows fully masked.
    var attentionMask: AttentionMask {
        switch mask {
        case .none: return .none
        case .causal: return .causal
        case .window(let w): return .slidingWindow(w)
        case .additive:
            return .explicit(Tensor<Float>.uniform([queryLength, keyLength], low: -2, high: 1, seed: seed + 4)
                .mapped { $0 < -1 ? -.infinity : $0 })
        case .boolean:
            var generator = SeededGenerator(seed: seed + 5)
            let allowed = (0..<queryLength * keyLength).map { index in
                index / keyLength % 5 == 3 ? false : generator.next() % 3 != 0
            }
            return .allowing(allowed, queries: queryLength, keys: keyLength)
        }
    }
}

extension Tensor {
    func mapped(_ transform: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape, elements: elements.map(transform))
    }
}

/// Largest |a − b| over two tensors of the same shape; infinite if the shapes differ or NaN appears.
func maxAbsDifference(_ a: Tensor<Float>, _ b: Tensor<Double>) -> Double {
    guard a.shape == b.shape else { return .infinity }
    var worst = 0.0
    for (x, y) in zip(a.elements, b.elements) {
        if x.isNaN || y.isNaN { return .infinity }
        if Double(x) == y { continue }  // also equal infinities
        worst = max(worst, abs(Double(x) - y))
    }
    return worst
}
