import Foundation

/// Reads and writes NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Supported element types: `<f2 <f4 <f8 <i4 <i8 |i1 |u1 |b1` and their big-endian `>` forms, in C or
/// Fortran order; every array comes back little-endian and row-major. Object arrays, structured dtypes
/// and other types are rejected with a `.unsupported` `FormatError`. Reading checks every declared size
/// against the actual byte count before allocating, so no file can cause a crash or a huge allocation.
public enum NumpyFile {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// Rank limit (NumPy 2's `NPY_MAXDIMS`); bounds the work of Fortran-order reordering.
    private static let maximumRank = 64

    /// Reads the `.npy` file at `url`. Errors name `url.path`.
    public static func read(contentsOf url: URL) throws -> NDArray {
        try decode(FileAccess.read(url), name: url.path)
    }

    /// Decodes the bytes of a `.npy` file; `name` identifies it in errors. O(file size).
    public static func decode(_ data: Data, name: String) throws -> NDArray {
        func malformed(_ problem: String) -> FormatError { FormatError(file: name, kind: .malformed, problem: problem) }
        let prefix = [UInt8](data.prefix(12))
        guard prefix.prefix(magic.count).elementsEqual(magic.prefix(prefix.count)) else {
            throw malformed("not a .npy file (no \\x93NUMPY magic)")
        }
        guard prefix.count >= 10 else { throw malformed("file is \(prefix.count) bytes, too short for a .npy header") }
        let (major, minor) = (prefix[6], prefix[7])
        guard (1...3).contains(major), minor == 0 else {
            throw FormatError(file: name, kind: .unsupported, problem: "format version \(major).\(minor) is not supported")
        }
        let headerStart = major == 1 ? 10 : 12
        guard prefix.count >= headerStart else { throw malformed("file ends inside the header length") }
        let headerLength = prefix[8..<headerStart].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard headerLength <= data.count - headerStart else {
            throw malformed("header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        let dataStart = headerStart + headerLength
        let header = try Header(Array(data[data.startIndex + headerStart..<data.startIndex + dataStart]), file: name)

        let available = data.count - dataStart
        guard let needed = ShapeArithmetic.byteCount(header.shape, elementSize: header.descr.dtype.byteSize) else {
            throw malformed("shape \(ShapeArithmetic.text(header.shape)) is too large")
        }
        guard needed == available else {
            throw malformed(needed > available
                ? "data is truncated: shape \(ShapeArithmetic.text(header.shape)) of \(header.descrText) needs \(needed) bytes, file has \(available)"
                : "\(available - needed) unexpected bytes after the data")
        }
        var elements = Array(data[(data.startIndex + dataStart)...])
        if header.descr.isBigEndian { ByteLayout.swapByteOrder(&elements, elementSize: header.descr.dtype.byteSize) }
        if header.isFortranOrder {
            elements = ByteLayout.columnMajorToRowMajor(elements, shape: header.shape,
                                                         elementSize: header.descr.dtype.byteSize)
        }
        return NDArray(validatedShape: header.shape, dtype: header.descr.dtype, bytes: elements)
    }

    /// The `.npy` bytes of `array`: version 1.0 (2.0 if the header exceeds 65535 bytes), C order,
    /// little-endian, header padded so the data starts at a multiple of 64 bytes. `bfloat16` has no NumPy
    /// type and is written as `<f4` (exact). O(size).
    public static func encode(_ array: NDArray) -> Data {
        let (descr, elements): (String, [UInt8]) = if let descr = NumpyDescr.text(for: array.dtype) {
            (descr, array.bytes)
        } else {
            ("<f4", NDArray(shape: array.shape, floats: array.floats()).bytes)
        }
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)"
            : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        let dictionary = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        /// The header length after padding so that the data starts at a multiple of 64 bytes.
        func paddedLength(prefixLength: Int) -> Int {
            dictionary.count + 1 + (64 - (prefixLength + dictionary.count + 1) % 64) % 64
        }
        let version: UInt8 = paddedLength(prefixLength: 10) <= 65535 ? 1 : 2
        let prefixLength = version == 1 ? 10 : 12
        let headerLength = paddedLength(prefixLength: prefixLength)
        var data = Data(magic + [version, 0])
        for i in 0..<(prefixLength - 8) { data.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        data.append(contentsOf: dictionary + [UInt8](repeating: UInt8(ascii: " "), count: headerLength - dictionary.count - 1))
        data.append(0x0A)
        data.append(contentsOf: elements)
        return data
    }

    /// Writes `array` to `url` atomically (see `encode`) under the `OutputFiles` policy. Throws
    /// `.fileExists` if the file exists and `overwrite` is false, `.refused` for a directory, special file,
    /// symbolic link or read-only file at `url` even with `overwrite`.
    public static func write(_ array: NDArray, to url: URL, overwrite: Bool = false) throws {
        try FileAccess.writeAtomically(encode(array), to: url, overwrite: overwrite)
    }

    /// The header dictionary `{'descr': …, 'fortran_order': …, 'shape': (…)}`, strictly checked.
    private struct Header {
        let descrText: String
        let descr: NumpyDescr
        let isFortranOrder: Bool
        let shape: [Int]

        init(_ bytes: [UInt8], file: String) throws {
            func malformed(_ problem: String) -> FormatError { FormatError(file: file, kind: .malformed, problem: problem) }
            guard case let .dict(entries) = try PythonLiteral.parse(bytes, file: file) else {
                throw malformed("header is not a dictionary")
            }
            let keys = entries.map(\.key)
            guard keys.count == 3, Set(keys) == ["descr", "fortran_order", "shape"] else {
                throw malformed("header keys are \(FormatError.excerpt("\(keys)")), expected descr, fortran_order and shape")
            }
            let value = { (key: String) in entries.first { $0.key == key }!.value }
            switch value("descr") {
            case let .string(text):
                guard let descr = NumpyDescr(text) else {
                    throw FormatError(file: file, kind: .unsupported,
                                      problem: "dtype '\(FormatError.excerpt(text))' is not supported (supported: \(NumpyDescr.supportedList), or '>' forms)")
                }
                (descrText, self.descr) = (text, descr)
            case .list:
                throw FormatError(file: file, kind: .unsupported, problem: "structured dtypes are not supported")
            default:
                throw malformed("descr is not a string")
            }
            guard case let .bool(isFortranOrder) = value("fortran_order") else {
                throw malformed("fortran_order is not True or False")
            }
            self.isFortranOrder = isFortranOrder
            guard case let .tuple(dimensions) = value("shape") else { throw malformed("shape is not a tuple") }
            shape = try dimensions.map { dimension in
                guard case let .integer(extent) = dimension, extent >= 0 else {
                    throw malformed("shape has a dimension that is not a non-negative integer")
                }
                return extent
            }
            guard shape.count <= NumpyFile.maximumRank else {
                throw FormatError(file: file, kind: .unsupported,
                                  problem: "shape has \(shape.count) dimensions, at most \(NumpyFile.maximumRank) are supported")
            }
        }
    }
}
