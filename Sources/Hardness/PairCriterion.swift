/// When a pair (i, j) with inner product ip is a witness, as one integer test:
/// `sign·ip ≥ bounds[leftClasses[i]·rightClassCount + rightClasses[j]]`, with sign = +1 for "score ≥ t"
/// and −1 for "score ≤ t".
///
/// An inner-product threshold is one bound for all pairs (one class). A cosine threshold t becomes, for each
/// pair of popcounts (pa, pb), the exact integer bound on ip that `cos = ip/√(pa·pb)` ≥ t (or ≤ t) amounts
/// to; rows are classed by popcount, so the table has (distinct popcounts of the left set) × (of the right
/// set) entries and the scan never touches a square root.
struct PairCriterion {
    let sign: Int
    let leftClasses: [Int]
    let rightClasses: [Int]
    let rightClassCount: Int
    let bounds: [Int]

    /// ip ≥ t or ip ≤ t.
    init(innerProductThreshold t: Int, comparison: HardnessProblem.Comparison, leftRows: Int, rightRows: Int) {
        sign = comparison == .atLeast ? 1 : -1
        leftClasses = [Int](repeating: 0, count: leftRows)
        rightClasses = [Int](repeating: 0, count: rightRows)
        rightClassCount = 1
        bounds = [sign * t]
    }

    /// cos ≥ t or cos ≤ t, exactly (see `Cosine`). Rows must be non-zero. Cost O(n·d/64 + classes²).
    init(cosineThreshold t: Double, comparison: HardnessProblem.Comparison, left: BinaryMatrix, right: BinaryMatrix) {
        let leftCounts = left.popcounts, rightCounts = right.popcounts
        let leftValues = Array(Set(leftCounts)).sorted(), rightValues = Array(Set(rightCounts)).sorted()
        let leftIndex = Dictionary(uniqueKeysWithValues: leftValues.enumerated().map { ($1, $0) })
        let rightIndex = Dictionary(uniqueKeysWithValues: rightValues.enumerated().map { ($1, $0) })
        sign = comparison == .atLeast ? 1 : -1
        leftClasses = leftCounts.map { leftIndex[$0]! }
        rightClasses = rightCounts.map { rightIndex[$0]! }
        rightClassCount = rightValues.count
        var bounds: [Int] = []
        bounds.reserveCapacity(leftValues.count * rightValues.count)
        for pa in leftValues {
            for pb in rightValues {
                bounds.append(comparison == .atLeast
                    ? Cosine.minimumInnerProduct(normProduct: pa * pb, atLeast: t)
                    : -Cosine.maximumInnerProduct(normProduct: pa * pb, atMost: t))
            }
        }
        self.bounds = bounds
    }
}
