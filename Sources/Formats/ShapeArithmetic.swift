/// Overflow-checked sizes of shapes, so a hostile declared shape is rejected before anything is allocated.
enum ShapeArithmetic {
    /// The product of `shape`, or nil if a dimension is negative or the product overflows `Int`. O(rank).
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// `elementCount(shape) × elementSize`, or nil on a negative dimension or overflow.
    static func byteCount(_ shape: [Int], elementSize: Int) -> Int? {
        guard let count = elementCount(shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        return overflow ? nil : bytes
    }

    /// `[16, 32]`, as shapes appear in error messages.
    static func text(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
