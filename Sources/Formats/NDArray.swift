/// An n-dimensional array as files store it: a shape, an element type and the raw bytes.
///
/// `bytes` are little-endian, in C (row-major) order, and exactly `count × dtype.byteSize` long; `bool`
/// elements are 0 or 1. Readers convert every file to this layout, so code above never sees byte order or
/// Fortran order. Convert to numbers with `floats()` or `doubles()`.
public struct NDArray: Sendable, Equatable {
    /// The extent of each dimension, outermost first; `[]` is a scalar.
    public let shape: [Int]
    public let dtype: DType
    /// The elements, little-endian, row-major.
    public let bytes: [UInt8]

    /// Number of elements (the product of `shape`).
    public var count: Int { bytes.count / dtype.byteSize }
    /// Whether `dtype` is a floating-point type.
    public var isFloatingPoint: Bool { dtype.isFloatingPoint }

    /// An array of `dtype` elements whose raw little-endian bytes are `bytes`.
    ///
    /// Throws a `FormatError` if a dimension is negative or `bytes.count ≠ product(shape) × byteSize`.
    /// `bool` bytes other than 0 are stored as 1.
    public init(shape: [Int], dtype: DType, bytes: [UInt8]) throws {
        guard let needed = ShapeArithmetic.byteCount(shape, elementSize: dtype.byteSize) else {
            throw FormatError(file: "in-memory array", kind: .malformed,
                              problem: "shape \(ShapeArithmetic.text(shape)) is negative or too large")
        }
        guard needed == bytes.count else {
            throw FormatError(
                file: "in-memory array", kind: .malformed,
                problem: "shape \(ShapeArithmetic.text(shape)) of \(dtype) needs \(needed) bytes, got \(bytes.count)")
        }
        self.init(validatedShape: shape, dtype: dtype, bytes: bytes)
    }

    /// For readers that have already checked the byte count; normalises `bool` bytes to 0 or 1.
    init(validatedShape shape: [Int], dtype: DType, bytes: [UInt8]) {
        self.shape = shape
        self.dtype = dtype
        self.bytes = dtype == .bool ? bytes.map { $0 == 0 ? 0 : 1 } : bytes
    }

    /// A `float32` array, or with `dtype` `.float16`, `.bfloat16` or `.float64` the values rounded to (or
    /// widened to) that type. Requires `floats.count == product(shape)` and a floating-point `dtype`.
    public init(shape: [Int], floats: [Float], as dtype: DType = .float32) {
        Self.checkCount(shape, floats.count)
        switch dtype {
        case .float32: self.init(validatedShape: shape, dtype: dtype, bytes: Self.bytes(of: floats.map(\.bitPattern)))
        case .float64: self.init(shape: shape, doubles: floats.map(Double.init))
        case .float16:
            self.init(validatedShape: shape, dtype: dtype, bytes: Self.bytes(of: floats.map(HalfPrecision.half(from:))))
        case .bfloat16:
            self.init(validatedShape: shape, dtype: dtype,
                      bytes: Self.bytes(of: floats.map(HalfPrecision.bfloat16(from:))))
        case .int8, .uint8, .int32, .int64, .bool:
            preconditionFailure("NDArray(shape:floats:as:) needs a floating-point dtype, got \(dtype)")
        }
    }

    /// A `float64` array. Requires `doubles.count == product(shape)`.
    public init(shape: [Int], doubles: [Double]) {
        Self.checkCount(shape, doubles.count)
        self.init(validatedShape: shape, dtype: .float64, bytes: Self.bytes(of: doubles.map(\.bitPattern)))
    }

    /// An `int32` array. Requires `int32s.count == product(shape)`.
    public init(shape: [Int], int32s: [Int32]) {
        Self.checkCount(shape, int32s.count)
        self.init(validatedShape: shape, dtype: .int32, bytes: Self.bytes(of: int32s))
    }

    /// An `int64` array. Requires `int64s.count == product(shape)`.
    public init(shape: [Int], int64s: [Int64]) {
        Self.checkCount(shape, int64s.count)
        self.init(validatedShape: shape, dtype: .int64, bytes: Self.bytes(of: int64s))
    }

    /// A `bool` array. Requires `bools.count == product(shape)`.
    public init(shape: [Int], bools: [Bool]) {
        Self.checkCount(shape, bools.count)
        self.init(validatedShape: shape, dtype: .bool, bytes: bools.map { $0 ? 1 : 0 })
    }

    private static func checkCount(_ shape: [Int], _ count: Int) {
        precondition(ShapeArithmetic.elementCount(shape) == count,
                     "shape \(ShapeArithmetic.text(shape)) does not hold \(count) elements")
    }

    /// The little-endian bytes of `values`. O(n).
    private static func bytes<T: FixedWidthInteger>(of values: [T]) -> [UInt8] {
        values.map(\.littleEndian).withUnsafeBytes { Array($0) }
    }
}
