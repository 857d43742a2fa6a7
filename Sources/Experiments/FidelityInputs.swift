import Foundation
import Kernels

/// Queries, keys and values `[1, H, N, D]` for one fidelity point, and the Float64 softmax reference on a
/// sample of rows. Cost: O(H·N·D) to build; the reference O(H·rows·N·D).
struct FidelityInputs: Sendable {
    let queries: Tensor<Float>
    let keys: Tensor<Float>
    let values: Tensor<Float>
    /// The key each query is built to retrieve (retrieval inputs), else nil.
    let match: (@Sendable (Int) -> Int)?

    /// `input` at `heads` × `length` × `width` from `seed`; the softmax scale is 1/√width.
    init(_ input: FidelityInput, heads: Int, length n: Int, width d: Int, seed: UInt64) {
        let shape = [1, heads, n, d]
        values = .normal(shape, seed: seed &+ 3)
        switch input {
        case .gaussian:
            queries = .normal(shape, seed: seed &+ 1)
            keys = .normal(shape, seed: seed &+ 2)
            match = nil
        case .moderate:
            let std = Float((0.5 / Double(d).squareRoot()).squareRoot())
            queries = .normal(shape, std: std, seed: seed &+ 1)
            keys = .normal(shape, std: std, seed: seed &+ 2)
            match = nil
        case .retrieval:
            (queries, keys) = Self.retrieval(heads: heads, length: n, width: d, seed: seed)
            match = { ($0 + n / 2) % n }
        }
    }

    /// Score of a query with its own key, scale included: τ = 4·ln N + 16. Random unit directions in D ≥ 16
    /// dimensions have cosines ≤ ≈ 0.85 among N keys, so every other key scores ≤ τ − 0.15·τ and the match
    /// keeps ≳ 99% of the softmax weight (measured per point as `matchWeight`).
    static func matchScore(length n: Int) -> Double { 4 * log(Double(n)) + 16 }

    /// Keys kⱼ = a·uⱼ with random unit directions uⱼ and queries qᵢ = a·u_{(i + N/2) mod N}, a = √(τ·√D):
    /// the scaled score of query i with key j is τ·⟨u_{i+N/2}, uⱼ⟩, τ at the match N/2 positions away.
    static func retrieval(heads: Int, length n: Int, width d: Int, seed: UInt64) -> (Tensor<Float>, Tensor<Float>) {
        let directions = Tensor<Float>.normal([1, heads, n, d], seed: seed &+ 1).elements
        let a = (matchScore(length: n) * Double(d).squareRoot()).squareRoot()
        var keys = [Float](repeating: 0, count: directions.count)
        for row in 0..<(heads * n) {
            let start = row * d
            let norm = (0..<d).reduce(0.0) { $0 + Double(directions[start + $1] * directions[start + $1]) }.squareRoot()
            for c in 0..<d { keys[start + c] = Float(a * Double(directions[start + c]) / max(norm, 1e-30)) }
        }
        var queries = keys
        for h in 0..<heads {
            for i in 0..<n {
                let (to, from) = ((h * n + i) * d, (h * n + (i + n / 2) % n) * d)
                for c in 0..<d { queries[to + c] = keys[from + c] }
            }
        }
        let shape = [1, heads, n, d]
        return (Tensor(shape: shape, elements: queries), Tensor(shape: shape, elements: keys))
    }

    /// `count` rows spread evenly over 0..<N (all rows when N ≤ count).
    static func sampledRows(length n: Int, count: Int) -> [Int] {
        n <= count ? Array(0..<n) : (0..<count).map { $0 * n / count }
    }

    /// Float64 softmax(QKᵀ/√D)·V on `rows` of every head (keys j ≤ i only when `causal`): `[H][rows][D]`
    /// flattened, and the mean softmax weight of each row's `match` key (nil without one or when causal).
    func reference(rows: [Int], causal: Bool) -> (output: [Double], matchWeight: Double?) {
        let (heads, n, d) = (queries.shape[1], queries.shape[2], queries.shape[3])
        let (q, k, v) = (queries.elements, keys.elements, values.elements)
        let scale = 1 / Double(d).squareRoot()
        var output = [Double](repeating: 0, count: heads * rows.count * d)
        var weightSum = 0.0
        var scores = [Double](repeating: 0, count: n)
        for h in 0..<heads {
            for (r, i) in rows.enumerated() {
                let visible = causal ? i + 1 : n
                let qi = (h * n + i) * d
                for j in 0..<visible {
                    let kj = (h * n + j) * d
                    var dot = 0.0
                    for c in 0..<d { dot += Double(q[qi + c]) * Double(k[kj + c]) }
                    scores[j] = dot * scale
                }
                let top = scores[0..<visible].max()!
                var total = 0.0
                for j in 0..<visible {
                    scores[j] = exp(scores[j] - top)
                    total += scores[j]
                }
                let out = (h * rows.count + r) * d
                for j in 0..<visible {
                    let (weight, vj) = (scores[j] / total, (h * n + j) * d)
                    for c in 0..<d { output[out + c] += weight * Double(v[vj + c]) }
                }
                if let match, !causal { weightSum += scores[match(i)] / total }
            }
        }
        let weight = match == nil || causal ? nil : weightSum / Double(heads * rows.count)
        return (output, weight)
    }

    /// ‖Y − Y_ref‖_F / ‖Y_ref‖_F over the sampled `rows` of every head of `output` `[1, H, N, D]`.
    static func relativeError(_ output: Tensor<Float>, reference: [Double], rows: [Int]) -> Double {
        let (heads, n, d) = (output.shape[1], output.shape[2], output.shape[3])
        let y = output.elements
        var (difference, norm) = (0.0, 0.0)
        for h in 0..<heads {
            for (r, i) in rows.enumerated() {
                for c in 0..<d {
                    let exact = reference[(h * rows.count + r) * d + c]
                    let delta = Double(y[(h * n + i) * d + c]) - exact
                    difference += delta * delta
                    norm += exact * exact
                }
            }
        }
        return (difference / norm).squareRoot()
    }
}
