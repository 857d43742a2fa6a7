/// Uninitialised, 64-byte aligned scratch memory for a kernel's packed panels; freed explicitly by the
/// kernel that allocated it (no reference counting in hot paths).
public struct AlignedBuffer {
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates room for `count` floats (at least 16).
    public init(count: Int) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
    }

    public func free() { pointer.deallocate() }
}
