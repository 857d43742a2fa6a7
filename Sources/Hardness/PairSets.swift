import Kernels

/// The sets of a pair problem while a generator edits them: a pair is (row i of A, row j of the right set),
/// where the right set is A itself for one-set problems (i ≠ j) and B otherwise.
///
/// The edits are the monotone moves the planted answers rely on: raising an inner product only adds ones
/// (so no other inner product drops), lowering one only removes ones (so none rises). Costs are O(d) per
/// step and O(n²·d/64) per pass over all pairs.
struct PairSets {
    var sets: [BinaryMatrix]
    let monochromatic: Bool

    init(a: BinaryMatrix, b: BinaryMatrix?) {
        sets = [a] + (b.map { [$0] } ?? [])
        monochromatic = b == nil
    }

    var rightIndex: Int { monochromatic ? 0 : 1 }
    var leftRows: Int { sets[0].rows }
    var rightRows: Int { sets[rightIndex].rows }
    var columns: Int { sets[0].columns }

    func left(_ i: Int, _ q: Int) -> Bool { sets[0][i, q] }
    func right(_ j: Int, _ q: Int) -> Bool { sets[rightIndex][j, q] }

    func innerProduct(_ i: Int, _ j: Int) -> Int {
        sets[0].innerProduct(row: i, with: sets[rightIndex], row: j)
    }

    /// Requires both rows non-zero.
    func cosine(_ i: Int, _ j: Int) -> Cosine {
        Cosine(innerProduct: innerProduct(i, j),
               normProduct: sets[0].popcount(row: i) * sets[rightIndex].popcount(row: j))
    }

    /// The partners j of row i that come after it in row-major pair order: j > i within A, or all of B.
    func laterPartners(of i: Int) -> Range<Int> {
        (monochromatic ? i + 1 : 0)..<rightRows
    }

    /// A random pair: i ≠ j within A, or any (i, j) in A × B.
    func randomPair(using random: inout SeededGenerator) -> (i: Int, j: Int) {
        let i = Int.random(in: 0..<leftRows, using: &random)
        guard monochromatic else { return (i, Int.random(in: 0..<rightRows, using: &random)) }
        let other = Int.random(in: 0..<leftRows - 1, using: &random)
        return (i, other < i ? other : other + 1)
    }

    /// Adds ones until ⟨a_i, r_j⟩ ≥ target (≤ d): each step picks a random column where exactly one row
    /// is 1 (one new one), or if there is none, where both are 0, and sets both to 1.
    mutating func raiseInnerProduct(_ i: Int, _ j: Int, to target: Int, using random: inout SeededGenerator) {
        precondition(target <= columns, "inner product \(target) above the dimension \(columns)")
        while innerProduct(i, j) < target {
            let halfShared = (0..<columns).filter { left(i, $0) != right(j, $0) }
            let q = halfShared.randomElement(using: &random)
                ?? (0..<columns).filter { !left(i, $0) }.randomElement(using: &random)!
            sets[0][i, q] = true
            sets[rightIndex][j, q] = true
        }
    }

    /// Removes ones until ⟨a_i, r_j⟩ ≤ target: each step clears a random shared column in one of the two
    /// rows, chosen at random.
    mutating func lowerInnerProduct(_ i: Int, _ j: Int, to target: Int, using random: inout SeededGenerator) {
        while innerProduct(i, j) > max(0, target) {
            let q = (0..<columns).filter { left(i, $0) && right(j, $0) }.randomElement(using: &random)!
            if Bool.random(using: &random) { sets[0][i, q] = false } else { sets[rightIndex][j, q] = false }
        }
    }

    /// One pass over all pairs raising every pair with ⟨·,·⟩ ≤ t to t + 1. Raising only adds ones, so pairs
    /// already passed stay above t: afterwards no pair has ⟨·,·⟩ ≤ t. Requires t < d.
    mutating func raiseAllInnerProducts(above t: Int, using random: inout SeededGenerator) {
        for i in 0..<leftRows {
            for j in laterPartners(of: i) where innerProduct(i, j) <= t {
                raiseInnerProduct(i, j, to: t + 1, using: &random)
            }
        }
    }

    /// One pass over all pairs lowering every pair with ⟨·,·⟩ ≥ t to t − 1. Lowering only removes ones, so
    /// pairs already passed stay below t: afterwards no pair has ⟨·,·⟩ ≥ t. Requires t ≥ 1.
    mutating func lowerAllInnerProducts(below t: Int, using random: inout SeededGenerator) {
        for i in 0..<leftRows {
            for j in laterPartners(of: i) where innerProduct(i, j) >= t {
                lowerInnerProduct(i, j, to: t - 1, using: &random)
            }
        }
    }

    /// Moves r_j towards a_i until cos ≥ t: sets a column where only a_i is 1 (this always raises the
    /// cosine, since ip ≤ ‖r_j‖²), or once r_j ⊇ a_i clears a column where only r_j is 1. Ends at r_j = a_i
    /// (cos = 1) at the latest. Rows stay non-zero.
    mutating func raiseCosine(_ i: Int, _ j: Int, toAtLeast t: Double, using random: inout SeededGenerator) {
        while cosine(i, j).compare(to: t) < 0 {
            if let q = (0..<columns).filter({ left(i, $0) && !right(j, $0) }).randomElement(using: &random) {
                sets[rightIndex][j, q] = true
            } else {
                let q = (0..<columns).filter { !left(i, $0) && right(j, $0) }.randomElement(using: &random)!
                sets[rightIndex][j, q] = false
            }
        }
    }

    /// Moves r_j away from a_i until cos ≤ t: clears a shared column of r_j while r_j has ≥ 2 ones (this
    /// always lowers a positive cosine), else adds a column where a_i is 0. If a_i is all ones it first
    /// loses one (shared) column. Ends at ip = 0 (cos = 0) at the latest; rows stay non-zero. Requires d ≥ 2
    /// unless cos ≤ t already.
    mutating func lowerCosine(_ i: Int, _ j: Int, toAtMost t: Double, using random: inout SeededGenerator) {
        if cosine(i, j).compare(to: t) > 0 && sets[0].popcount(row: i) == columns {
            let q = (0..<columns).filter { right(j, $0) }.randomElement(using: &random)!
            sets[0][i, q] = false
        }
        while cosine(i, j).compare(to: t) > 0 {
            let shared = (0..<columns).filter { left(i, $0) && right(j, $0) }
            if sets[rightIndex].popcount(row: j) >= 2, let q = shared.randomElement(using: &random) {
                sets[rightIndex][j, q] = false
            } else {
                let q = (0..<columns).filter { !left(i, $0) && !right(j, $0) }.randomElement(using: &random)!
                sets[rightIndex][j, q] = true
            }
        }
    }

    /// Redraws right-hand rows until no pair is `violating`: row j of the right set is redrawn (each entry 1
    /// with probability `density`, never all zero) while it violates with an earlier row of A (one-set
    /// problems) or any row of A (bichromatic). Returns false when some row needs more than `attempts`.
    mutating func redrawRows(density: Double, attempts: Int, using random: inout SeededGenerator,
                             violating: (Cosine) -> Bool) -> Bool {
        for j in 0..<rightRows {
            let partners = monochromatic ? 0..<j : 0..<leftRows
            var tries = 0
            while partners.contains(where: { violating(cosine($0, j)) }) {
                tries += 1
                if tries > attempts { return false }
                for q in 0..<columns { sets[rightIndex][j, q] = random.nextUnit() < density }
                if sets[rightIndex].popcount(row: j) == 0 {
                    sets[rightIndex][j, Int.random(in: 0..<columns, using: &random)] = true
                }
            }
        }
        return true
    }
}
