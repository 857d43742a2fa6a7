/// The first element of an array that is not a finite number: where it is and what it is.
public struct NonFiniteElement: Sendable, Equatable, CustomStringConvertible {
    /// Row-major position among all elements.
    public let offset: Int
    /// Its index per dimension.
    public let index: [Int]
    /// Its value (NaN, ±inf, or a finite value that float32 cannot hold).
    public let value: Double

    /// For example `NaN at index [0, 3, 1]` or `1e+300 (beyond float32's range) at index [2]`.
    public var description: String {
        let what = value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "inf" : "-inf") : "\(value) (beyond float32's range)"
        return "\(what) at index \(index)"
    }
}

extension NDArray {
    /// The first element that is NaN or infinite, or — with `inFloat32` — that becomes infinite when
    /// rounded to float32; nil if there is none (always for integer and boolean arrays). O(count): the
    /// readers never scan on their own, so callers that want the check ask for it.
    public func firstNonFinite(inFloat32: Bool = false) -> NonFiniteElement? {
        guard isFloatingPoint else { return nil }
        let values = doubles()
        guard let offset = values.firstIndex(where: { !$0.isFinite || (inFloat32 && !Float($0).isFinite) }) else {
            return nil
        }
        var index = [Int](repeating: 0, count: shape.count), rest = offset
        for dimension in shape.indices.reversed() where shape[dimension] > 0 {
            index[dimension] = rest % shape[dimension]
            rest /= shape[dimension]
        }
        return NonFiniteElement(offset: offset, index: index, value: values[offset])
    }
}
