/// A `.npy` `descr` string such as `<f4`, `>i8` or `|b1`: the element type and its byte order.
struct NumpyDescr {
    let dtype: DType
    let isBigEndian: Bool

    /// Type codes after the byte-order character, for every dtype NumPy has (bfloat16 is not NumPy's).
    private static let codes: [(code: String, dtype: DType)] = [
        ("f2", .float16), ("f4", .float32), ("f8", .float64), ("i1", .int8), ("u1", .uint8),
        ("i4", .int32), ("i8", .int64), ("b1", .bool),
    ]

    /// Parses `descr`; nil for anything unsupported (other types, `=` byte order, `|` on multi-byte types).
    init?(_ descr: String) {
        guard let order = descr.first, let entry = Self.codes.first(where: { $0.code == descr.dropFirst() })
        else { return nil }
        switch order {
        case "<": isBigEndian = false
        case ">": isBigEndian = true
        case "|" where entry.dtype.byteSize == 1: isBigEndian = false
        default: return nil
        }
        dtype = entry.dtype
    }

    /// The little-endian descr NumPy writes for `dtype`; nil for bfloat16.
    static func text(for dtype: DType) -> String? {
        guard let code = codes.first(where: { $0.dtype == dtype })?.code else { return nil }
        return (dtype.byteSize == 1 ? "|" : "<") + code
    }

    /// The supported descrs, for error messages.
    static var supportedList: String {
        codes.map { ($0.dtype.byteSize == 1 ? "|" : "<") + $0.code }.joined(separator: " ")
    }
}
