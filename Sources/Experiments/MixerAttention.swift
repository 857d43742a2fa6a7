import Hardness
import Kernels
import Mixers

/// A token mixer as a construction's `AttentionKernel` (scale 1, one head, non-causal unless the kind is
/// causal-only), with the budget mapped to the kind's knob: window w, Performer/Linformer features,
/// Nyström landmarks, or the polynomial's degree (the largest g with C(D + g, g) ≤ budget, at least 1; its
/// bound is derived from the inputs). Kinds without a knob ignore the budget.
///
/// Causal-only kinds see the rows in reverse order, so the constructions' extra token (last) comes first and
/// the rows read (A, first) come after B: every read row can see the extra token and all of B. Nyström's
/// inputs get zero rows appended up to a multiple of the landmarks. Both are undone on the output.
struct MixerAttention {
    let kind: MixerKind
    let budget: Int
    let seed: UInt64

    func description(headDimension d: Int) -> MixerDescription {
        let causal = !kind.allowsNonCausal
        switch kind {
        case .window: return MixerDescription(kind: kind, window: budget, scale: 1, causal: true)
        case .performer, .linformer: return MixerDescription(kind: kind, features: budget, seed: seed, scale: 1)
        case .nystrom: return MixerDescription(kind: kind, landmarks: budget, scale: 1)
        case .polynomial:
            let degree = MixerDescription.largestPolynomialDegree(headDimension: d, features: budget)
            return MixerDescription(kind: kind, degree: degree, scale: 1)
        default: return MixerDescription(kind: kind, scale: 1, causal: causal)
        }
    }

    /// q, k, v `[1, N, D]` → output `[1, N, D]`, with a mixer made for this call.
    func callAsFunction(_ q: Tensor<Float>, _ k: Tensor<Float>, _ v: Tensor<Float>) throws -> Tensor<Float> {
        try run(description(headDimension: q.shape[2]).makeMixer(), q, k, v)
    }

    /// The kernel for a series of calls (one point's instances): the mixer, and with it the random draws it
    /// caches (Linformer's [k, N] projections, Performer's features), is made at the first call and again
    /// only when the head dimension changes.
    func reusingKernel() -> AttentionKernel {
        var made: (headDimension: Int, mixer: any TokenMixer)?
        return { q, k, v in
            let d = q.shape[2]
            if made?.headDimension != d { made = (d, try description(headDimension: d).makeMixer()) }
            return try run(made!.mixer, q, k, v)
        }
    }

    /// `mixer` on q, k, v `[1, N, D]` with the kind's adaptations (row reversal, zero padding) made and undone.
    func run(_ mixer: any TokenMixer, _ q: Tensor<Float>, _ k: Tensor<Float>, _ v: Tensor<Float>) throws -> Tensor<Float> {
        let n = q.shape[1]
        if !kind.allowsNonCausal {
            let reversed = Array((0..<n).reversed())
            let output = try mixer.forward(queries: Self.rows(q, reversed), keys: Self.rows(k, reversed),
                                           values: Self.rows(v, reversed)).output
            return Self.rows(output, reversed)
        }
        if kind == .nystrom {
            let padded = (n + budget - 1) / budget * budget
            let pad = { (x: Tensor<Float>) in Self.rows(x, (0..<padded).map { $0 < n ? $0 : -1 }) }
            let output = try mixer.forward(queries: pad(q), keys: pad(k), values: pad(v)).output
            return Self.rows(output, Array(0..<n))
        }
        return try mixer.forward(queries: q, keys: k, values: v).output
    }

    /// `[1, count, D]` whose row i is x's row `sources[i]` (a zero row for −1): one row copy each, O(count·D).
    static func rows(_ x: Tensor<Float>, _ sources: [Int]) -> Tensor<Float> {
        let d = x.shape[2]
        var result = Tensor<Float>(zeros: [1, sources.count, d])
        x.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for (row, from) in sources.enumerated() where from >= 0 {
                    (target.baseAddress! + row * d).update(from: source.baseAddress! + from * d, count: d)
                }
            }
        }
        return result
    }
}
