import Kernels
@testable import Mixers

/// Random Q, K, V of one shape (normal, std 1), reproducible from `seed`.
func randomInputs(_ shape: [Int], seed: UInt64) -> (q: Tensor<Float>, k: Tensor<Float>, v: Tensor<Float>) {
    (Tensor.normal(shape, seed: seed), Tensor.normal(shape, seed: seed + 1), Tensor.normal(shape, seed: seed + 2))
}

/// max |fast − reference| / max |reference| (absolute when the reference is all zeros).
func relativeError(_ fast: Tensor<Float>, _ reference: Tensor<Double>) -> Double {
    let (f, r) = (fast.elements, reference.elements)
    let difference = zip(f, r).map { abs(Double($0) - $1) }.max() ?? 0
    let size = r.map(abs).max() ?? 0
    return size > 0 ? difference / size : difference
}

/// A description of each kind with small budgets that still exercise its structure at the test shapes
/// (Nyström's landmarks divide N: 1, 7, 5, 3 for N = 1, 7, 65, 129; the polynomial's bound 0.5 keeps its
/// interval [−s·D/4, s·D/4] ⊆ [−2, 2], where the degree-2 P stays positive).
func testDescription(_ kind: MixerKind, causal: Bool, length n: Int) -> MixerDescription {
    switch kind {
    case .window: return MixerDescription(kind: kind, window: 5, causal: true)
    case .performer: return MixerDescription(kind: kind, features: 24, seed: 7, causal: causal)
    case .polynomial: return MixerDescription(kind: kind, degree: 2, bound: 0.5, causal: causal)
    case .linformer: return MixerDescription(kind: kind, features: 6, seed: 3)
    case .nystrom: return MixerDescription(kind: kind, landmarks: [65: 5, 129: 3][n] ?? n)
    default: return MixerDescription(kind: kind, causal: causal)
    }
}

/// The causal settings a kind allows.
func maskings(_ kind: MixerKind) -> [Bool] {
    [false, true].filter { $0 ? kind.allowsCausal : kind.allowsNonCausal }
}
