// Accurate reductions of Float buffers: pairwise and compensated sums, dot product, maximum.
// All are single-threaded and read the buffer once; callers parallelise over independent buffers.

/// Elements summed in SIMD lanes before the pairwise tree takes over (8 AVX-512 vectors, 16 AVX2 ones).
let pairwiseBlock = 128

/// Σ x[0..<count] by pairwise summation: blocks of 128 elements are summed in SIMD lanes, the block
/// sums are combined in a balanced binary tree, and the lanes are added by halves. Error bound
/// ≈ (8 + log2(count/128) + 4)·ε·Σ|x| instead of count·ε·Σ|x| for a sequential sum. Cost ≈ count/lanes adds.
public func pairwiseSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    horizontalSum(pairwiseSumLanes(x, count: count))
}

/// Lane-wise partial sums for `pairwiseSum`: a balanced split on block boundaries down to ≤ 128 elements.
func pairwiseSumLanes(_ x: UnsafePointer<Float>, count: Int) -> FloatVector {
    if count <= pairwiseBlock { return sumLanes(x, count: count) }
    let blocks = (count + pairwiseBlock - 1) / pairwiseBlock
    let left = blocks / 2 * pairwiseBlock
    return pairwiseSumLanes(x, count: left) + pairwiseSumLanes(x + left, count: count - left)
}

/// Σ x[0..<count] with Neumaier's compensated summation, run independently in each SIMD lane whose sums
/// and compensations are then combined by a scalar Neumaier pass. The error is ≈ 2ε·|Σx| + O(count·ε²)·Σ|x|,
/// independent of the ordering, so sums with heavy cancellation (1e8 + 1 − 1e8 …) come out right.
/// Cost ≈ 4× a plain sum (7 vector operations per vector of elements).
public func compensatedSum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var sum = FloatVector()
    var compensation = FloatVector()
    var i = 0
    while i < count {
        let v = loadLanes(x + i, count: min(vectorLanes, count - i), padding: 0)
        let t = sum + v
        // The larger-magnitude addend is exact in t; the rounding error is what the smaller one lost.
        let sumIsLarger = lanewiseMagnitude(sum) .>= lanewiseMagnitude(v)
        let large = v.replacing(with: sum, where: sumIsLarger)
        let small = sum.replacing(with: v, where: sumIsLarger)
        compensation += (large - t) + small
        sum = t
        i += vectorLanes
    }
    var total: Float = 0
    var correction = horizontalSum(compensation)
    for lane in 0..<vectorLanes {
        let t = total + sum[lane]
        correction += abs(total) >= abs(sum[lane]) ? (total - t) + sum[lane] : (sum[lane] - t) + total
        total = t
    }
    return total + correction
}

/// Σ a[i]·b[i] for `i` in `0..<count`, with four `FloatVector` multiply-add accumulators (each lane sums
/// count/(4·lanes) terms, then the accumulators and lanes are added pairwise). Cost ≈ count/lanes FMAs.
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = FloatVector(), acc1 = FloatVector(), acc2 = FloatVector(), acc3 = FloatVector()
    let w = vectorLanes
    @inline(__always) func product(_ offset: Int) -> (FloatVector, FloatVector) {
        (loadLanes(a + offset, count: w, padding: 0), loadLanes(b + offset, count: w, padding: 0))
    }
    var i = 0
    while i + 4 * w <= count {
        let (a0, b0) = product(i), (a1, b1) = product(i + w), (a2, b2) = product(i + 2 * w), (a3, b3) = product(i + 3 * w)
        acc0 = multiplyAdd(a0, b0, acc0)
        acc1 = multiplyAdd(a1, b1, acc1)
        acc2 = multiplyAdd(a2, b2, acc2)
        acc3 = multiplyAdd(a3, b3, acc3)
        i += 4 * w
    }
    while i < count {
        let n = min(w, count - i)
        acc0 = multiplyAdd(loadLanes(a + i, count: n, padding: 0), loadLanes(b + i, count: n, padding: 0), acc0)
        i += w
    }
    return horizontalSum((acc0 + acc1) + (acc2 + acc3))
}

/// The largest of x[0..<count]; NaN if any element is NaN; −inf when `count == 0`. Cost ≈ count/lanes blends.
public func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var largest = FloatVector(repeating: -.infinity)
    var sawNaN = SIMDMask<IntVector>()
    var i = 0
    while i < count {
        let v = loadLanes(x + i, count: min(vectorLanes, count - i), padding: -.infinity)
        largest = lanewiseMax(largest, v)
        sawNaN .|= v .!= v
        i += vectorLanes
    }
    return any(sawNaN) ? .nan : horizontalMax(largest)
}
