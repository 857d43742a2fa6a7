/// The exhaustive scan over the pairs of an instance: (i, j) with i < j within set A for one-set problems,
/// every (i, j) in A × B for bichromatic ones. Rows are bit-packed, so one pair costs ⌈d/64⌉ ANDs and
/// popcounts; the scan is O(n²·d/64) and runs on `threads` threads in rounds of rows (`runInRounds`).
///
/// Pairs are visited in row-major order of (i, j), so the witness returned is always the first one in that
/// order, whatever the thread count.
struct PairScan {
    let left: BinaryMatrix
    let right: BinaryMatrix
    let monochromatic: Bool
    let threads: Int

    init(_ instance: HardnessInstance, threads: Int) {
        left = instance.a
        right = instance.b ?? instance.a
        monochromatic = instance.problem.isMonochromatic
        self.threads = threads
    }

    /// The first pair (i, j) the criterion accepts, with its inner product; nil when there is none.
    /// Stops after the first round of rows that holds a witness.
    func firstWitness(_ criterion: PairCriterion) -> (i: Int, j: Int, innerProduct: Int)? {
        let leftRows = left.rows, rightRows = right.rows, words = left.wordsPerRow
        let monochromatic = monochromatic, sign = criterion.sign, classCount = criterion.rightClassCount
        var partners = [Int](repeating: -1, count: leftRows)
        var found: (i: Int, j: Int)?
        left.withUnsafePackedWords { leftWords in
        right.withUnsafePackedWords { rightWords in
        criterion.leftClasses.withUnsafeBufferPointer { leftClasses in
        criterion.rightClasses.withUnsafeBufferPointer { rightClasses in
        criterion.bounds.withUnsafeBufferPointer { bounds in
        partners.withUnsafeMutableBufferPointer { partners in
            let leftBase = leftWords.baseAddress!, rightBase = rightWords.baseAddress!
            let rightClassBase = rightClasses.baseAddress!, partnerBase = partners.baseAddress!
            runInRounds(rows: leftRows, rowCost: rightRows * words, threads: threads, { i in
                let x = leftBase + i * words
                let rowBounds = bounds.baseAddress! + leftClasses[i] * classCount
                var j = monochromatic ? i + 1 : 0
                while j < rightRows {
                    let ip = andPopcount(x, rightBase + j * words, words)
                    if sign &* ip >= rowBounds[rightClassBase[j]] { break }
                    j += 1
                }
                partnerBase[i] = j < rightRows ? j : -1
            }, roundDone: { range in
                guard let i = range.first(where: { partnerBase[$0] >= 0 }) else { return false }
                found = (i, partnerBase[i])
                return true
            })
        }}}}}}
        return found.map { ($0.i, $0.j, left.innerProduct(row: $0.i, with: right, row: $0.j)) }
    }

    /// The first pair (i, j) whose score ip/√(norms[i]·norms[j]) is the largest (`.maximum`) or smallest
    /// (`.minimum`), compared exactly. With all norms 1 the score is the inner product itself; with
    /// popcounts it is the cosine. Scans every pair.
    func best(goal: OptimumGoal, leftNorms: [Int], rightNorms: [Int]) -> (i: Int, j: Int, innerProduct: Int) {
        let leftRows = left.rows, rightRows = right.rows, words = left.wordsPerRow
        let monochromatic = monochromatic, sign = goal == .maximum ? 1 : -1
        var partners = [Int](repeating: -1, count: leftRows)
        var products = [Int](repeating: 0, count: leftRows)
        left.withUnsafePackedWords { leftWords in
        right.withUnsafePackedWords { rightWords in
        leftNorms.withUnsafeBufferPointer { leftNorms in
        rightNorms.withUnsafeBufferPointer { rightNorms in
        partners.withUnsafeMutableBufferPointer { partners in
        products.withUnsafeMutableBufferPointer { products in
            let leftBase = leftWords.baseAddress!, rightBase = rightWords.baseAddress!
            let rightNormBase = rightNorms.baseAddress!
            let partnerBase = partners.baseAddress!, productBase = products.baseAddress!
            runInRounds(rows: leftRows, rowCost: rightRows * words, threads: threads, { i in
                let x = leftBase + i * words, norm = leftNorms[i]
                var bestJ = -1, bestIP = 0, bestNorm = 1
                var j = monochromatic ? i + 1 : 0
                while j < rightRows {
                    let ip = andPopcount(x, rightBase + j * words, words)
                    let pairNorm = norm &* rightNormBase[j]
                    if bestJ < 0 || sign &* compareCosines(ip, pairNorm, bestIP, bestNorm) > 0 {
                        (bestJ, bestIP, bestNorm) = (j, ip, pairNorm)
                    }
                    j += 1
                }
                partnerBase[i] = bestJ
                productBase[i] = bestIP
            }, roundDone: { _ in false })
        }}}}}}
        var best: (i: Int, j: Int, innerProduct: Int)?
        for i in 0..<leftRows where partners[i] >= 0 {
            let j = partners[i], ip = products[i]
            if let current = best {
                let order = compareCosines(ip, leftNorms[i] * rightNorms[j], current.innerProduct,
                                           leftNorms[current.i] * rightNorms[current.j])
                if sign * order <= 0 { continue }
            }
            best = (i, j, ip)
        }
        return best!
    }
}
