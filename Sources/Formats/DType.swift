/// The element types an `NDArray` can hold; every one is stored little-endian.
public enum DType: String, Sendable, CaseIterable {
    /// IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits).
    case float16
    /// Brain float: the top 16 bits of a float32 (1 sign, 8 exponent, 7 mantissa bits).
    case bfloat16
    case float32
    case float64
    case int8
    case uint8
    case int32
    case int64
    /// One byte per element, 0 or 1.
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .bfloat16: 2
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }

    /// Whether the type is one of the four floating-point formats.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        case .int8, .uint8, .int32, .int64, .bool: false
        }
    }
}
