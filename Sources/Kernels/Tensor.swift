/// A dense, row-major array of `Float` or `Double` with value semantics.
///
/// Storage is 64-byte aligned and shared between copies until one of them is mutated (copy-on-write).
/// `head(_:)`-style views (`slice(_:)`, `rows(_:)`) share the parent's storage and cost O(1); a view is
/// a value like any other tensor, so writing to it copies only the viewed elements.
///
/// Shapes follow PyTorch: attention tensors are `[B, H, N, D]` (B batch, H heads, N tokens, D head dim),
/// with B optional.
public struct Tensor<Scalar: TensorScalar>: Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage<Scalar>
    /// Index of element `[0, 0, …]` within `storage`.
    @usableFromInline var offset: Int

    /// Number of elements (the product of `shape`).
    public var count: Int { shape.reduce(1, *) }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
        self.offset = 0
    }

    /// A tensor filled with `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(zeros: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    /// A tensor holding `elements` in row-major order.
    public init(shape: [Int], elements: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == elements.count,
                     "shape \(shape) holds \(shape.reduce(1, *)) elements, got \(elements.count)")
        self.init(zeros: shape)
        elements.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: $0.count) }
    }

    /// A tensor whose element at each multi-index is `body(index)`.
    public init(shape: [Int], generator body: ([Int]) -> Scalar) {
        self.init(zeros: shape)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            storage.pointer[flat] = body(index)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// The elements in row-major order.
    public var elements: [Scalar] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// Element at a full multi-index (slow; for tests and small code).
    public subscript(_ index: Int...) -> Scalar {
        get { storage.pointer[offset + flatIndex(index)] }
        set {
            let flat = flatIndex(index)
            withUnsafeMutableBufferPointer { $0[flat] = newValue }
        }
    }

    @usableFromInline func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }

    /// Calls `body` with the elements, read-only, in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer + offset, count: count))
    }

    /// Calls `body` with the elements, writable; copies the storage first if another tensor shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer + offset, count: count))
    }

    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) || storage.count != count {
            storage = TensorStorage(copying: storage.pointer + offset, count: count)
            offset = 0
        }
    }

    /// The same elements under another shape with the same element count (O(1), shares storage).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        var view = self
        view.shape = newShape
        return view
    }

    /// Sub-tensor `index` along the first axis: e.g. one head `[N, D]` of an `[H, N, D]` tensor (O(1)).
    public func slice(_ index: Int) -> Tensor {
        precondition(rank >= 1 && index >= 0 && index < shape[0], "slice \(index) out of range for \(shape)")
        var view = self
        view.shape = Array(shape.dropFirst())
        view.offset = offset + index * view.count
        return view
    }

    /// The block of rows `range` along the first axis, e.g. a query block `[n, D]` of `[N, D]` (O(1)).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of range for \(shape)")
        var view = self
        view.shape[0] = range.count
        view.offset = offset + range.lowerBound * (count / max(shape[0], 1))
        return view
    }

    /// The same values converted to another scalar type.
    public func converted<Other: TensorScalar>(to _: Other.Type = Other.self) -> Tensor<Other> {
        var result = Tensor<Other>(zeros: shape)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for i in 0..<source.count { target[i] = Other(source[i]) }
            }
        }
        return result
    }
}

extension Tensor: Equatable {
    /// Equal shapes and elements (NaN never equals NaN).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.withUnsafeBufferPointer { l in
            rhs.withUnsafeBufferPointer { r in l.elementsEqual(r) }
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = withUnsafeBufferPointer { $0.prefix(8).map { "\($0)" }.joined(separator: ", ") }
        return "Tensor<\(Scalar.self)>\(shape) [\(preview)\(count > 8 ? ", …" : "")]"
    }
}
