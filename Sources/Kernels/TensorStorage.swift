/// A 64-byte aligned, reference-counted buffer of scalars: the storage that `Tensor` values share until
/// one of them writes (copy-on-write).
///
/// 64 bytes is one cache line and one AVX-512 register, so a row that starts at a multiple of 16 floats
/// never splits a vector load across lines.
public final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// Alignment of every allocation, in bytes.
    public static var alignment: Int { 64 }

    public let count: Int
    public let pointer: UnsafeMutablePointer<Scalar>

    /// Allocates `count` scalars, zero-filled.
    public init(count: Int) {
        precondition(count >= 0, "negative element count")
        self.count = count
        let byteCount = max(count, 1) * MemoryLayout<Scalar>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: Self.alignment)
        // All-zero bytes are +0.0 for Float and Double; a byte fill is a memset, not a generic loop.
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        pointer = raw.bindMemory(to: Scalar.self, capacity: max(count, 1))
    }

    /// A new storage holding `count` scalars copied from `source`.
    public convenience init(copying source: UnsafePointer<Scalar>, count: Int) {
        self.init(count: count)
        pointer.update(from: source, count: count)
    }

    deinit {
        pointer.deallocate()
    }
}

/// The element types a `Tensor` can hold: Float for the fast kernels, Double for the references.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// The name NumPy and safetensors use for this type (`float32`, `float64`).
    static var dtypeName: String { get }
}

extension Float: TensorScalar {
    public static var dtypeName: String { "float32" }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "float64" }
}
