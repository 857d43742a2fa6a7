import Kernels

extension Tensor where Scalar == Float {
    /// The first element's address, for a pass that reads several tensors in one flat scope instead of
    /// nested `withUnsafeBufferPointer` closures. Valid while the tensor is alive and unmodified: the caller
    /// holds it (a parameter, or `withExtendedLifetime`) for the whole pass.
    var readPointer: UnsafePointer<Float> { withUnsafeBufferPointer { $0.baseAddress! } }

    /// Makes the storage unique and returns its first element's address, for a pass that fills several
    /// tensors in one flat scope. Valid while the tensor is alive and not copied or otherwise modified.
    mutating func writePointer() -> UnsafeMutablePointer<Float> { withUnsafeMutableBufferPointer { $0.baseAddress! } }
}
