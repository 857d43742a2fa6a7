// Horizontal (across-lane) reductions of SIMD vectors.
//
// `SIMD.sum()` and `.max()` compile to slow scalar code on this toolchain, so these reduce by halves:
// 16 → 8 → 4 → 2 → 1 lanes, i.e. four vector adds (or compare+blend) instead of fifteen scalar ones.
// They are `@inline(__always)` because SIMD values passed across a real call get split into pieces.
// Overloads for 4, 8 and 16 lanes cover every `FloatVector`.

/// Sum of the 16 lanes, added pairwise by halves (error ≤ 4 roundings per lane).
@inlinable @inline(__always)
public func horizontalSum(_ v: SIMD16<Float>) -> Float {
    horizontalSum(v.lowHalf + v.highHalf)
}

/// Sum of the 8 lanes, added pairwise by halves.
@inlinable @inline(__always)
public func horizontalSum(_ v: SIMD8<Float>) -> Float {
    horizontalSum(v.lowHalf + v.highHalf)
}

/// Sum of the 4 lanes, added pairwise.
@inlinable @inline(__always)
public func horizontalSum(_ v: SIMD4<Float>) -> Float {
    let two = v.lowHalf + v.highHalf
    return two.x + two.y
}

/// Largest of the 16 lanes. If a lane is NaN the result is either NaN or the largest other lane
/// (which one depends on the lane's position); callers that must see NaN check for it separately.
@inlinable @inline(__always)
public func horizontalMax(_ v: SIMD16<Float>) -> Float {
    horizontalMax(lanewiseMax(v.lowHalf, v.highHalf))
}

/// Largest of the 8 lanes; NaN lanes as for the 16-lane form.
@inlinable @inline(__always)
public func horizontalMax(_ v: SIMD8<Float>) -> Float {
    horizontalMax(lanewiseMax(v.lowHalf, v.highHalf))
}

/// Largest of the 4 lanes; NaN lanes as for the 16-lane form.
@inlinable @inline(__always)
public func horizontalMax(_ v: SIMD4<Float>) -> Float {
    let two = lanewiseMax(v.lowHalf, v.highHalf)
    return two.y > two.x ? two.y : two.x
}

/// Lane-wise `b > a ? b : a` as one compare and one blend (`pointwiseMax` is not always vectorised).
@inlinable @inline(__always)
public func lanewiseMax(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> SIMD2<Float> { a.replacing(with: b, where: b .> a) }

/// Lane-wise `b > a ? b : a` (see the 2-lane form).
@inlinable @inline(__always)
public func lanewiseMax(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .> a) }

/// Lane-wise `b > a ? b : a` (see the 2-lane form).
@inlinable @inline(__always)
public func lanewiseMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }

/// Lane-wise `b > a ? b : a` (see the 2-lane form).
@inlinable @inline(__always)
public func lanewiseMax(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a.replacing(with: b, where: b .> a) }
