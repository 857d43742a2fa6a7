/// The exhaustive 3-OV scan over every triple (a_i, b_j, c_k) ∈ A × B × C: for each (i, j) the word-wise
/// AND a_i & b_j is formed once and tested against every c_k, so the scan costs O(|A|·|B|·|C|·d/64) and
/// runs on `threads` threads in rounds of rows of A (`runInRounds`). Triples are visited in row-major order
/// of (i, j, k), so the triple returned is the first in that order, whatever the thread count.
struct TripleScan {
    let a: BinaryMatrix
    let b: BinaryMatrix
    let c: BinaryMatrix
    let threads: Int

    /// The first triple with Σ a·b·c = 0, or nil. Stops after the first round of rows that holds one.
    func firstOrthogonalTriple() -> (i: Int, j: Int, k: Int)? {
        scan(stopAtZero: true).flatMap { $0.product == 0 ? ($0.i, $0.j, $0.k) : nil }
    }

    /// The first triple with the smallest Σ a·b·c, and that product.
    func minimumTriple() -> (i: Int, j: Int, k: Int, product: Int) {
        scan(stopAtZero: false)!
    }

    /// Per row i of A, the first (j, k) with the smallest product (a product of 0 ends the row early);
    /// then the first row with the smallest product overall.
    private func scan(stopAtZero: Bool) -> (i: Int, j: Int, k: Int, product: Int)? {
        let rowsA = a.rows, rowsB = b.rows, rowsC = c.rows, words = a.wordsPerRow
        var bestTriples = [Int](repeating: -1, count: rowsA)  // j·|C| + k
        var bestProducts = [Int](repeating: Int.max, count: rowsA)
        a.withUnsafePackedWords { aWords in
        b.withUnsafePackedWords { bWords in
        c.withUnsafePackedWords { cWords in
        bestTriples.withUnsafeMutableBufferPointer { triples in
        bestProducts.withUnsafeMutableBufferPointer { products in
            let aBase = aWords.baseAddress!, bBase = bWords.baseAddress!, cBase = cWords.baseAddress!
            let tripleBase = triples.baseAddress!, productBase = products.baseAddress!
            runInRounds(rows: rowsA, rowCost: rowsB * rowsC * words, threads: threads, { i in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { pairAnd in
                    let x = aBase + i * words, both = pairAnd.baseAddress!
                    var bestTriple = -1, bestProduct = Int.max
                    if stopAtZero && words == 1 {
                        // d ≤ 64, the usual case (d = O(log n)): one AND per triple, all in registers.
                        let row = x.pointee
                        scanRow: for j in 0..<rowsB {
                            let pair = row & bBase[j]
                            for k in 0..<rowsC where pair & cBase[k] == 0 {
                                (bestTriple, bestProduct) = (j * rowsC + k, 0)
                                break scanRow
                            }
                        }
                        tripleBase[i] = bestTriple
                        productBase[i] = bestProduct
                        return
                    }
                    scanRow: for j in 0..<rowsB {
                        let y = bBase + j * words
                        for w in 0..<words { both[w] = x[w] & y[w] }
                        for k in 0..<rowsC {
                            let c = cBase + k * words
                            // The decision only needs "is the AND zero", which skips the popcounts.
                            let product = stopAtZero ? (andIsZero(both, c, words) ? 0 : Int.max)
                                                     : andPopcount(both, c, words)
                            if product < bestProduct {
                                (bestTriple, bestProduct) = (j * rowsC + k, product)
                                if product == 0 { break scanRow }
                            }
                        }
                    }
                    tripleBase[i] = bestTriple
                    productBase[i] = bestProduct
                }
            }, roundDone: { range in
                stopAtZero && range.contains { productBase[$0] == 0 }
            })
        }}}}}
        var best: (i: Int, j: Int, k: Int, product: Int)?
        for i in 0..<rowsA where bestTriples[i] >= 0 && bestProducts[i] < (best?.product ?? Int.max) {
            best = (i, bestTriples[i] / rowsC, bestTriples[i] % rowsC, bestProducts[i])
            if best!.product == 0 { break }
        }
        return best
    }
}

/// Whether `x AND y` is zero over `count` words (no early exit, so the loop vectorises).
@inline(__always)
func andIsZero(_ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>, _ count: Int) -> Bool {
    var any: UInt64 = 0
    for w in 0..<count { any |= x[w] & y[w] }
    return any == 0
}
