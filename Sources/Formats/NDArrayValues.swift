extension NDArray {
    /// The elements as Float, in row-major order, converted from any dtype: exact for float16, bfloat16
    /// and float32, rounded for float64 and large integers; `bool` gives 0 or 1. O(n).
    public func floats() -> [Float] { values(as: Float.self) }

    /// The elements as Double, in row-major order: exact for every dtype except int64 beyond 2⁵³. O(n).
    public func doubles() -> [Double] { values(as: Double.self) }

    private func values<Output: BinaryFloatingPoint>(as _: Output.Type) -> [Output] {
        let count = self.count
        return [Output](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                switch dtype {
                case .float16:
                    for i in 0..<count {
                        output[i] = Output(HalfPrecision.float(fromHalf: raw.littleEndianValue(at: i, as: UInt16.self)))
                    }
                case .bfloat16:
                    for i in 0..<count {
                        let bits = raw.littleEndianValue(at: i, as: UInt16.self)
                        output[i] = Output(HalfPrecision.float(fromBFloat16: bits))
                    }
                case .float32:
                    for i in 0..<count {
                        output[i] = Output(Float(bitPattern: raw.littleEndianValue(at: i, as: UInt32.self)))
                    }
                case .float64:
                    for i in 0..<count {
                        output[i] = Output(Double(bitPattern: raw.littleEndianValue(at: i, as: UInt64.self)))
                    }
                case .int8:
                    for i in 0..<count { output[i] = Output(raw.littleEndianValue(at: i, as: Int8.self)) }
                case .uint8, .bool:
                    for i in 0..<count { output[i] = Output(raw[i]) }
                case .int32:
                    for i in 0..<count { output[i] = Output(raw.littleEndianValue(at: i, as: Int32.self)) }
                case .int64:
                    for i in 0..<count { output[i] = Output(raw.littleEndianValue(at: i, as: Int64.self)) }
                }
            }
            initialized = count
        }
    }
}

extension UnsafeRawBufferPointer {
    /// Element `index` of a packed little-endian array of `T` starting at byte 0 (any alignment).
    @inline(__always)
    func littleEndianValue<T: FixedWidthInteger>(at index: Int, as _: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: index * MemoryLayout<T>.stride, as: T.self))
    }
}
