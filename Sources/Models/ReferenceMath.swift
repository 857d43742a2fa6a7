import Foundation
import Kernels

/// Float64 building blocks of the model references: textbook formulas on `[rows, columns]` matrices,
/// plain loops and `referenceGEMM`, no blocking, no threads. For tests; not for speed.
enum ReferenceMath {
    /// op(a)·op(b) via `referenceGEMM`.
    static func product(_ a: Tensor<Double>, _ b: Tensor<Double>, transposeB: Bool = false) -> Tensor<Double> {
        let (m, k) = (a.shape[0], a.shape[1])
        let (n, ldb) = transposeB ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[1])
        precondition((transposeB ? b.shape[1] : b.shape[0]) == k, "reference product of \(a.shape) and \(b.shape)")
        var c = Tensor<Double>(zeros: [m, n])
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    referenceGEMM(transposeB: transposeB, m: m, n: n, k: k, a: a.baseAddress!, lda: max(1, k),
                                  b: b.baseAddress!, ldb: max(1, ldb), c: c.baseAddress!, ldc: max(1, n))
                }
            }
        }
        return c
    }

    /// a + b elementwise, or a + b broadcast over rows when b is a vector of a's row length.
    static func sum(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
        let x = a.elements, y = b.elements
        let values = x.indices.map { x[$0] + y[$0 % y.count] }
        return Tensor(shape: a.shape, elements: values)
    }

    /// f applied elementwise.
    static func map(_ a: Tensor<Double>, _ f: (Double) -> Double) -> Tensor<Double> {
        Tensor(shape: a.shape, elements: a.elements.map(f))
    }

    /// The activation's Float64 form from `VectorMathReference`.
    static func activation(_ activation: Activation) -> (Double) -> Double {
        switch activation {
        case .geluTanh: VectorMathReference.geluTanh
        case .geluErf: VectorMathReference.geluErf
        case .silu: VectorMathReference.silu
        }
    }

    /// One head, `softmax(scale·q·kᵀ + mask)·v`: q, k `[N, d_k]`, v `[N, d_v]` → `[N, d_v]`. A causal
    /// mask hides keys j > i. Scores are materialised (N² memory).
    static func attention(
        queries: Tensor<Double>, keys: Tensor<Double>, values: Tensor<Double>, scale: Double, causal: Bool
    ) -> Tensor<Double> {
        let n = queries.shape[0]
        var scores = product(queries, keys, transposeB: true).elements  // [N, N]
        for i in 0..<n {
            for j in 0..<n { scores[i * n + j] = causal && j > i ? -.infinity : scale * scores[i * n + j] }
        }
        let weights = VectorMathReference.softmaxRows(scores, rows: n, columns: n)
        return product(Tensor(shape: [n, n], elements: weights), values)
    }

    /// The sequences of an `[N, m]` or `[B, N, m]` input, each `[N, m]`.
    static func sequences(_ x: Tensor<Double>) -> [Tensor<Double>] {
        x.rank == 2 ? [x] : (0..<x.shape[0]).map { x.slice($0) }
    }

    /// `[N, m]` outputs stacked back into the input's shape.
    static func stack(_ outputs: [Tensor<Double>], like x: Tensor<Double>) -> Tensor<Double> {
        Tensor(shape: x.shape, elements: outputs.flatMap(\.elements))
    }
}

/// Float64 weights by safetensors name, as both model references hold them.
struct ReferenceWeights {
    let tensors: [String: Tensor<Double>]

    subscript(_ name: String) -> Tensor<Double> {
        guard let tensor = tensors[name] else { preconditionFailure("reference weights lack \(name)") }
        return tensor
    }

    /// The MLP update of layer `layer`, `act(x·W1 + b1)·W2 + b2`, x `[N, m]`.
    func mlpUpdate(_ x: Tensor<Double>, layer: Int, activation: Activation) -> Tensor<Double> {
        let name = { ModelWeightNames.mlp(layer: layer, $0) }
        let preActivation = ReferenceMath.sum(ReferenceMath.product(x, self[name("w1")]), self[name("b1")])
        let hidden = ReferenceMath.map(preActivation, ReferenceMath.activation(activation))
        return ReferenceMath.sum(ReferenceMath.product(hidden, self[name("w2")]), self[name("b2")])
    }
}
