/// Rearrangements of raw element bytes into the little-endian, C-order layout `NDArray` uses.
enum ByteLayout {
    /// Reverses the bytes of every `elementSize`-byte element in place (big- to little-endian). O(n).
    static func swapByteOrder(_ bytes: inout [UInt8], elementSize: Int) {
        guard elementSize > 1 else { return }
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var element = base
            let end = base + raw.count
            while element < end {
                var low = element
                var high = element + elementSize - 1
                while low < high {
                    let byte = low.load(as: UInt8.self)
                    low.storeBytes(of: high.load(as: UInt8.self), as: UInt8.self)
                    high.storeBytes(of: byte, as: UInt8.self)
                    low += 1
                    high -= 1
                }
                element += elementSize
            }
        }
    }

    /// The elements of a column-major (Fortran-order) array of `shape`, reordered row-major.
    ///
    /// Walks the output in row-major order while keeping the matching column-major offset. O(n + rank).
    static func columnMajorToRowMajor(_ bytes: [UInt8], shape: [Int], elementSize: Int) -> [UInt8] {
        guard shape.count > 1, !bytes.isEmpty else { return bytes }
        // Column-major stride of each axis, in bytes.
        var strides = [Int](repeating: elementSize, count: shape.count)
        for axis in 1..<shape.count { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        let innerCount = shape[shape.count - 1]
        let innerStride = strides[shape.count - 1]
        var index = [Int](repeating: 0, count: shape.count)
        var result = [UInt8](repeating: 0, count: bytes.count)
        bytes.withUnsafeBytes { source in
            result.withUnsafeMutableBytes { target in
                guard let from = source.baseAddress, var to = target.baseAddress else { return }
                var sourceOffset = 0
                let rowCount = bytes.count / (elementSize * innerCount)
                for _ in 0..<rowCount {
                    var offset = sourceOffset
                    for _ in 0..<innerCount {
                        to.copyMemory(from: from + offset, byteCount: elementSize)
                        to += elementSize
                        offset += innerStride
                    }
                    // Advance the multi-index over the outer axes (an odometer), updating the offset.
                    var axis = shape.count - 2
                    while axis >= 0 {
                        index[axis] += 1
                        sourceOffset += strides[axis]
                        if index[axis] < shape[axis] { break }
                        sourceOffset -= strides[axis] * shape[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return result
    }
}
