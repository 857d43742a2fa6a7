import Foundation
import Kernels
import Testing
@testable import Mixers

/// `ChunkedFeatureAttentionBackward` on given features (`StoredFeatureChunks`) against the gradient of
/// normalised feature attention written out in Float64, O(N²) per head:
/// A_ij = φq_i·φk_j (j visible from i), den_i = Σ_j A_ij + ε, o_i = Σ_j A_ij·v_j / den_i,
/// dA_ij = (dO_i·v_j − dO_i·o_i)/den_i, dφq_i = Σ_j dA_ij·φk_j, dφk_j = Σ_i dA_ij·φq_i, dv_j = Σ_i A_ij·dO_i/den_i.
/// Odd shapes: N = 1, 7, 65, 129 (the middle chunk of 129 has both earlier and later states), 577 non-causal
/// (several token segments per head), D = 1, 17, 64, r = 1, 5, 33. Tolerance: max error ≤ 2e−4 · the largest sum of
/// the terms' absolute values (Σ_j (|dO_i·v_j| + |dO_i·o_i|)·φk_j / den_i for dφq, …): the sums cancel (at r = 1 or N = 1 dφq is ≈ 0, the
/// output not depending on φq's size), so float32 rounding is bounded by the terms, not by the result.
@Suite("fused feature-attention backward against the Float64 gradient")
struct FeatureAttentionBackwardTests {
    @Test(arguments: [true, false], [(1, 17, 5), (7, 1, 33), (65, 17, 1), (129, 64, 5), (129, 1, 33), (577, 17, 5)])
    func matchesReferenceGradient(causal: Bool, shape: (n: Int, d: Int, r: Int)) {
        let (heads, n, d, r) = (2, shape.n, shape.d, shape.r)
        let seed = UInt64(n * 1000 + d * 10 + r)
        // Positive features, as every map here gives (the denominators stay away from 0).
        let phiQ = positive([heads, n, r], seed: seed), phiK = positive([heads, n, r], seed: seed + 1)
        let v = Tensor<Float>.normal([heads, n, d], seed: seed + 2)
        let gradOutput = Tensor<Float>.normal([heads, n, d], seed: seed + 3)
        let epsilon = 1e-3
        let reference = referenceGradients(phiQ.converted(), phiK.converted(), v.converted(), gradOutput.converted(),
                                           causal: causal, epsilon: epsilon)
        let forward = MixerForward(output: reference.output.converted(), saved: [reference.denominator.converted()])
        var gradPhiQ = Tensor<Float>(zeros: phiQ.shape), gradPhiK = Tensor<Float>(zeros: phiK.shape)
        let gradValues = phiQ.withUnsafeBufferPointer { q in
            phiK.withUnsafeBufferPointer { k in
                gradPhiQ.withUnsafeMutableBufferPointer { dq in
                    gradPhiK.withUnsafeMutableBufferPointer { dk in
                        let source = StoredFeatureChunks(features: r, phiQ: q.baseAddress!, phiK: k.baseAddress!,
                                                         gradPhiQ: dq.baseAddress!, gradPhiK: dk.baseAddress!)
                        let backward = ChunkedFeatureAttentionBackward(source: source, heads: heads, length: n,
                                                                       headDimension: d, causal: causal)
                        return normalizedBackward(values: v, forward: forward, gradOutput: gradOutput) { backward.run($0) }
                    }
                }
            }
        }
        for (name, fast, exact, size) in [("dφq", gradPhiQ, reference.phiQ, reference.termSizes[0]),
                                          ("dφk", gradPhiK, reference.phiK, reference.termSizes[1]),
                                          ("dv", gradValues, reference.values, reference.termSizes[2])] {
            let error = zip(fast.elements, exact.elements).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(error <= 2e-4 * size, "causal=\(causal) N=\(n) D=\(d) r=\(r) \(name): error \(error), term size \(size)")
        }
    }

    /// e^x for x normal with std 0.5.
    private func positive(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
        Tensor(shape: shape, elements: Tensor<Float>.normal(shape, std: 0.5, seed: seed).elements.map { Foundation.exp($0) })
    }

    private func referenceGradients(
        _ phiQ: Tensor<Double>, _ phiK: Tensor<Double>, _ v: Tensor<Double>, _ gradOutput: Tensor<Double>,
        causal: Bool, epsilon: Double
    ) -> (output: Tensor<Double>, denominator: Tensor<Double>, phiQ: Tensor<Double>, phiK: Tensor<Double>,
          values: Tensor<Double>, termSizes: [Double]) {
        let (heads, n, r, d) = (phiQ.shape[0], phiQ.shape[1], phiQ.shape[2], v.shape[2])
        let (q, k, values, dO) = (phiQ.elements, phiK.elements, v.elements, gradOutput.elements)
        var output = [Double](repeating: 0, count: heads * n * d), denominator = [Double](repeating: 0, count: heads * n)
        var dq = [Double](repeating: 0, count: heads * n * r), dk = dq, dv = output
        var (sizeQ, sizeK, sizeV) = (dq, dk, dv)
        for g in 0..<heads {
            func visible(_ i: Int) -> Range<Int> { causal ? 0..<(i + 1) : 0..<n }
            func score(_ i: Int, _ j: Int) -> Double {
                (0..<r).reduce(0) { $0 + q[(g * n + i) * r + $1] * k[(g * n + j) * r + $1] }
            }
            for i in 0..<n {
                let row = g * n + i
                let scores = visible(i).map { score(i, $0) }
                denominator[row] = scores.reduce(epsilon, +)
                for j in visible(i) {
                    for a in 0..<d { output[row * d + a] += scores[j] * values[(g * n + j) * d + a] / denominator[row] }
                }
                let outputDot = (0..<d).reduce(0) { $0 + dO[row * d + $1] * output[row * d + $1] }
                for j in visible(i) {
                    let column = g * n + j
                    let valueDot = (0..<d).reduce(0) { $0 + dO[row * d + $1] * values[column * d + $1] }
                    let gradScore = (valueDot - outputDot) / denominator[row]
                    let gradScoreSize = (abs(valueDot) + abs(outputDot)) / denominator[row]
                    for f in 0..<r {
                        dq[row * r + f] += gradScore * k[column * r + f]
                        dk[column * r + f] += gradScore * q[row * r + f]
                        sizeQ[row * r + f] += gradScoreSize * k[column * r + f]
                        sizeK[column * r + f] += gradScoreSize * q[row * r + f]
                    }
                    for a in 0..<d {
                        dv[column * d + a] += scores[j] * dO[row * d + a] / denominator[row]
                        sizeV[column * d + a] += abs(scores[j] * dO[row * d + a] / denominator[row])
                    }
                }
            }
        }
        return (Tensor(shape: [heads, n, d], elements: output), Tensor(shape: [heads, n], elements: denominator),
                Tensor(shape: [heads, n, r], elements: dq), Tensor(shape: [heads, n, r], elements: dk),
                Tensor(shape: [heads, n, d], elements: dv), [sizeQ, sizeK, sizeV].map { $0.max() ?? 0 })
    }
}
