import Hardness
import Kernels

/// A naive O(n²·d) solver on nested Int rows, written from the definitions, to check the fast one against.
enum Reference {
    static func innerProduct(_ x: [Int], _ y: [Int]) -> Int {
        zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// A candidate witness with the integers its score is made of.
    struct Candidate {
        let witness: [Int]
        /// Inner product, or triple product for 3-OV.
        let product: Int
        /// popcount·popcount of the pair (1 for 3-OV).
        let normProduct: Int
    }

    /// Every pair (i < j in A, or A × B) or triple (A × B × C), in row-major order.
    static func candidates(_ instance: HardnessInstance) -> [Candidate] {
        let a = instance.a.nestedRows
        if instance.problem == .threeOV {
            let b = instance.b!.nestedRows, c = instance.c!.nestedRows
            return a.indices.flatMap { i in
                b.indices.flatMap { j in
                    c.indices.map { k in
                        let product = (0..<instance.dimension).reduce(0) { $0 + a[i][$1] * b[j][$1] * c[k][$1] }
                        return Candidate(witness: [i, j, k], product: product, normProduct: 1)
                    }
                }
            }
        }
        let right = instance.b?.nestedRows ?? a
        let start: (Int) -> Int = instance.b == nil ? { $0 + 1 } : { _ in 0 }
        return a.indices.flatMap { i in
            (start(i)..<right.count).map { j in
                Candidate(witness: [i, j], product: innerProduct(a[i], right[j]),
                          normProduct: a[i].reduce(0, +) * right[j].reduce(0, +))
            }
        }
    }

    /// The first candidate meeting `isWitness`, or nil.
    static func firstWitness(_ instance: HardnessInstance, _ isWitness: (Candidate) -> Bool) -> Candidate? {
        candidates(instance).first(where: isWitness)
    }

    /// The first candidate with the best score: the product, or for cosine problems ip/√P compared by
    /// cross-multiplication.
    static func optimum(_ instance: HardnessInstance) -> Candidate {
        let maximise = instance.problem.optimumGoal == .maximum
        let cosine = instance.problem.score == .cosine
        var best: Candidate?
        for candidate in candidates(instance) {
            guard let current = best else { best = candidate; continue }
            let difference = cosine
                ? candidate.product * candidate.product * current.normProduct
                    - current.product * current.product * candidate.normProduct
                : candidate.product - current.product
            if maximise ? difference > 0 : difference < 0 { best = candidate }
        }
        return best!
    }

    /// The score of a candidate as the solvers report it.
    static func value(_ candidate: Candidate, _ problem: HardnessProblem) -> Double {
        problem.score == .cosine
            ? Double(candidate.product) / Double(candidate.normProduct).squareRoot()
            : Double(candidate.product)
    }
}

/// An n × d matrix with entries 1 with probability `density`; with `nonZero`, no row is all zero.
func randomMatrix(rows: Int, columns: Int, density: Double, nonZero: Bool = false,
                  using random: inout SeededGenerator) -> BinaryMatrix {
    var matrix = BinaryMatrix(rows: rows, columns: columns) { _, _ in random.nextUnit() < density }
    for i in 0..<rows where nonZero && matrix.popcount(row: i) == 0 {
        matrix[i, Int.random(in: 0..<columns, using: &random)] = true
    }
    return matrix
}

/// A random instance of `problem` (threshold not set): n vectors per set, |C| = `cSize`.
func randomInstance(_ problem: HardnessProblem, n: Int, d: Int, density: Double, cSize: Int = 1,
                    using random: inout SeededGenerator) -> HardnessInstance {
    let nonZero = problem.score == .cosine
    let a = randomMatrix(rows: n, columns: d, density: density, nonZero: nonZero, using: &random)
    let b = problem.setCount >= 2
        ? randomMatrix(rows: n, columns: d, density: density, nonZero: nonZero, using: &random) : nil
    let c = problem.setCount == 3
        ? randomMatrix(rows: cSize, columns: d, density: density, using: &random) : nil
    return HardnessInstance(problem: problem, a: a, b: b, c: c)
}
