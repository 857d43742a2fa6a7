// Accurate reductions of Float buffers: pairwise and compensated sums, dot product, maximum.
// All are single-threaded and read the buffer once; callers parallelise over independent buffers.

/// Elements summed in SIMD lanes before the pairwise tree takes over (8 vectors of 16).
let pairwiseBlock = 128

/// Σ x[0..<count] by pairwise summation: blocks of 128 elements are summed in 16 SIMD lanes, the block
/// sums are combined in a balanced binary tree, and the 16 lanes are added by halves. Error bound
/// ≈ (8 + log2(count/128) + 4)·ε·Σ|x| instead of count·ε·Σ|x| for a sequential sum. Cost ≈ count/16 adds.
public func pairwiseSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    horizontalSum(pairwiseSumLanes(x, count: count))
}

/// Lane-wise partial sums for `pairwiseSum`: a balanced split on block boundaries down to ≤ 128 elements.
func pairwiseSumLanes(_ x: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    if count <= pairwiseBlock { return sumLanes(x, count: count) }
    let blocks = (count + pairwiseBlock - 1) / pairwiseBlock
    let left = blocks / 2 * pairwiseBlock
    return pairwiseSumLanes(x, count: left) + pairwiseSumLanes(x + left, count: count - left)
}

/// Σ x[0..<count] with Neumaier's compensated summation, run independently in 16 SIMD lanes whose sums
/// and compensations are then combined by a scalar Neumaier pass. The error is ≈ 2ε·|Σx| + O(count·ε²)·Σ|x|,
/// independent of the ordering, so sums with heavy cancellation (1e8 + 1 − 1e8 …) come out right.
/// Cost ≈ 4× a plain sum (7 vector operations per 16 elements).
public func compensatedSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var sum = SIMD16<Float>()
    var compensation = SIMD16<Float>()
    var i = 0
    while i < count {
        let v = loadLanes(x + i, count: min(16, count - i), padding: 0)
        let t = sum + v
        // The larger-magnitude addend is exact in t; the rounding error is what the smaller one lost.
        let sumIsLarger = lanewiseMagnitude(sum) .>= lanewiseMagnitude(v)
        let large = v.replacing(with: sum, where: sumIsLarger)
        let small = sum.replacing(with: v, where: sumIsLarger)
        compensation += (large - t) + small
        sum = t
        i += 16
    }
    var total: Float = 0
    var correction = horizontalSum(compensation)
    for lane in 0..<16 {
        let t = total + sum[lane]
        correction += abs(total) >= abs(sum[lane]) ? (total - t) + sum[lane] : (sum[lane] - t) + total
        total = t
    }
    return total + correction
}

/// Σ a[i]·b[i] for `i` in `0..<count`, with four 16-lane FMA accumulators (each lane sums count/64 terms,
/// then the accumulators and lanes are added pairwise). Cost ≈ count/16 FMAs.
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>(), acc2 = SIMD16<Float>(), acc3 = SIMD16<Float>()
    var i = 0
    while i + 64 <= count {
        acc0 = acc0.addingProduct(loadLanes(a + i, count: 16, padding: 0), loadLanes(b + i, count: 16, padding: 0))
        acc1 = acc1.addingProduct(loadLanes(a + i + 16, count: 16, padding: 0), loadLanes(b + i + 16, count: 16, padding: 0))
        acc2 = acc2.addingProduct(loadLanes(a + i + 32, count: 16, padding: 0), loadLanes(b + i + 32, count: 16, padding: 0))
        acc3 = acc3.addingProduct(loadLanes(a + i + 48, count: 16, padding: 0), loadLanes(b + i + 48, count: 16, padding: 0))
        i += 64
    }
    while i < count {
        let n = min(16, count - i)
        acc0 = acc0.addingProduct(loadLanes(a + i, count: n, padding: 0), loadLanes(b + i, count: n, padding: 0))
        i += 16
    }
    return horizontalSum((acc0 + acc1) + (acc2 + acc3))
}

/// The largest of x[0..<count]; NaN if any element is NaN; −inf when `count == 0`. Cost ≈ count/16 blends.
public func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var largest = SIMD16<Float>(repeating: -.infinity)
    var sawNaN = SIMDMask<SIMD16<Int32>>()
    var i = 0
    while i < count {
        let v = loadLanes(x + i, count: min(16, count - i), padding: -.infinity)
        largest = lanewiseMax(largest, v)
        sawNaN .|= v .!= v
        i += 16
    }
    return any(sawNaN) ? .nan : horizontalMax(largest)
}
