import Foundation

/// Nyströmformer from its formula, in Float64: Q, K scaled by √scale, landmarks the segment means,
/// out = softmax(Q·K̃ᵀ)·Z·softmax(Q̃·Kᵀ)·V with Z from six steps of Z ← ¼Z(13I − AZ(15I − AZ(7I − AZ))),
/// Z₀ = Aᵀ/(max column sum of A), A = softmax(Q̃·K̃ᵀ).
func nystromReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], landmarks m: Int, scale: Double) -> [[Double]] {
    let root = scale.squareRoot()
    let (qs, ks) = (q.map { $0.map { $0 * root } }, k.map { $0.map { $0 * root } })
    let segment = q.count / m
    func means(_ x: [[Double]]) -> [[Double]] {
        (0..<m).map { s in
            (0..<x[0].count).map { a in (0..<segment).reduce(0) { $0 + x[s * segment + $1][a] } / Double(segment) }
        }
    }
    func softmaxKernel(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in
            let scores = b.map { dot(row, $0) }
            let top = scores.max() ?? 0
            let e = scores.map { Foundation.exp($0 - top) }
            let total = e.reduce(0, +)
            return e.map { $0 / total }
        }
    }
    func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { j in row.indices.reduce(0) { $0 + row[$1] * b[$1][j] } } }
    }
    let (ql, kl) = (means(qs), means(ks))
    let a = softmaxKernel(ql, kl)
    let c = (0..<m).map { j in (0..<m).reduce(0) { $0 + a[$1][j] } }.max() ?? 1
    var z = (0..<m).map { i in (0..<m).map { j in a[j][i] / c } }
    func shifted(_ c: Double, _ x: [[Double]]) -> [[Double]] {
        x.indices.map { i in x[i].indices.map { j in (i == j ? c : 0) - x[i][j] } }
    }
    for _ in 0..<6 {
        let p = product(a, z)
        let w = shifted(13, product(p, shifted(15, product(p, shifted(7, p)))))
        z = product(z, w).map { $0.map { $0 / 4 } }
    }
    return product(softmaxKernel(qs, kl), product(z, product(softmaxKernel(ql, ks), v)))
}
