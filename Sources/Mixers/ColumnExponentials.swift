import Kernels

/// x[r, j] ← e^(x[r, j] − shift[j]) in place for `rows` rows of `columns` contiguous floats, and
/// sums[j] += Σ_r x[r, j] (the new values, added in row order): Nyström's K₃ᵀ numerators and their column
/// sums in one pass, one `MixerVector` of columns at a time with its running sum in a register.
/// On the calling thread. Cost one exp and one add per element.
func exponentiateColumns(
    _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, shift: UnsafePointer<Float>, sums: UnsafeMutablePointer<Float>
) {
    var j = 0
    while j + mixerLanes <= columns {
        let offset = shift.vector(at: j)
        var sum = sums.vector(at: j)
        for row in 0..<rows {
            let e = vectorExp((x + row * columns).vector(at: j) - offset)
            (x + row * columns).store(e, at: j)
            sum += e
        }
        sums.store(sum, at: j)
        j += mixerLanes
    }
    for column in j..<columns {
        var sum = sums[column]
        for row in 0..<rows {
            let value = x + row * columns + column
            value.pointee = vectorExp(MixerVector(repeating: value.pointee - shift[column]))[0]
            sum += value.pointee
        }
        sums[column] = sum
    }
}
