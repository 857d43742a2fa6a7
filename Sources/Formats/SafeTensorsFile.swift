import Foundation

/// Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header naming each
/// tensor's `dtype`, `shape` and `data_offsets` (relative to the data section), then the data.
///
/// Supported dtypes: F16, BF16, F32, F64, I8, U8, I32, I64, BOOL (read `floats()` on the arrays to get
/// Float32 from any of them). Reading is strict, like the reference implementation: the header must be at
/// most 100 MB of valid JSON with unique names, each tensor's byte range must match its shape exactly, and
/// the ranges must tile the data section without gaps, overlaps or trailing bytes. Every declared size is
/// checked against the file before anything is allocated.
public enum SafeTensorsFile {
    /// Largest header accepted, as in the reference implementation.
    public static let maximumHeaderLength = 100_000_000

    private static let codes: [(code: String, dtype: DType)] = [
        ("F16", .float16), ("BF16", .bfloat16), ("F32", .float32), ("F64", .float64),
        ("I8", .int8), ("U8", .uint8), ("I32", .int32), ("I64", .int64), ("BOOL", .bool),
    ]

    /// Reads the safetensors file at `url`. Errors name `url.path`.
    public static func read(contentsOf url: URL) throws -> SafeTensors {
        try decode(FileAccess.read(url), name: url.path)
    }

    /// Decodes the bytes of a safetensors file; `name` identifies it in errors. O(file size).
    public static func decode(_ data: Data, name: String) throws -> SafeTensors {
        func malformed(_ problem: String) -> FormatError { FormatError(file: name, kind: .malformed, problem: problem) }
        guard data.count >= 8 else { throw malformed("file is \(data.count) bytes, too short for the 8-byte header length") }
        let lengthBytes = data.prefix(8)
        let headerLength = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= maximumHeaderLength else {
            throw malformed("header length \(headerLength) exceeds the \(maximumHeaderLength)-byte limit")
        }
        guard headerLength <= data.count - 8 else {
            throw malformed("header length \(headerLength) runs past the end of the file (\(data.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Array(data[data.startIndex + 8..<data.startIndex + dataStart])
        let entries = try parseHeader(header, file: name)
        let dataSection = data[(data.startIndex + dataStart)...]

        var result = SafeTensors(metadata: entries.metadata)
        var end = 0
        let byOffset = entries.tensors.enumerated().sorted { ($0.element.begin, $0.element.end, $0.offset)
            < ($1.element.begin, $1.element.end, $1.offset) }.map(\.element)
        for entry in byOffset {
            guard entry.begin == end else {
                throw malformed(entry.begin < end
                    ? "tensor \(label(entry.name)) overlaps the data of another tensor"
                    : "\(entry.begin - end) unused bytes before tensor \(label(entry.name))")
            }
            guard entry.end <= dataSection.count else {
                throw malformed("tensor \(label(entry.name)) data_offsets [\(entry.begin), \(entry.end)] "
                    + "run past the end of the data (\(dataSection.count) bytes)")
            }
            let start = dataSection.startIndex + entry.begin
            let bytes = Array(dataSection[start..<start + entry.end - entry.begin])
            result[entry.name] = NDArray(validatedShape: entry.shape, dtype: entry.dtype, bytes: bytes)
            end = entry.end
        }
        guard end == dataSection.count else { throw malformed("\(dataSection.count - end) unused bytes after the last tensor") }
        return result
    }

    /// The safetensors bytes of `tensors`: data in `names` order, header padded with spaces to a multiple
    /// of 8 bytes, `__metadata__` first when not empty. O(size).
    public static func encode(_ tensors: SafeTensors) -> Data {
        var members: [String] = []
        if !tensors.metadata.isEmpty {
            let pairs = tensors.metadata.sorted { $0.key < $1.key }
                .map { JSONValue.quoted($0.key) + ":" + JSONValue.quoted($0.value) }
            members.append(JSONValue.quoted(SafeTensors.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, array) in tensors.tensors {
            let code = codes.first { $0.dtype == array.dtype }!.code
            let shape = array.shape.map(String.init).joined(separator: ",")
            members.append(JSONValue.quoted(name)
                + ":{\"dtype\":\"\(code)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + array.bytes.count)]}")
            offset += array.bytes.count
        }
        var header = Array(("{" + members.joined(separator: ",") + "}").utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var data = Data(capacity: 8 + header.count + offset)
        for i in 0..<8 { data.append(UInt8(truncatingIfNeeded: header.count >> (8 * i))) }
        data.append(contentsOf: header)
        for (_, array) in tensors.tensors { data.append(contentsOf: array.bytes) }
        return data
    }

    /// Writes `tensors` to `url` atomically (see `encode`) under the `OutputFiles` policy. Throws
    /// `.fileExists` if the file exists and `overwrite` is false, `.refused` for a directory, special file,
    /// symbolic link or read-only file at `url` even with `overwrite`.
    public static func write(_ tensors: SafeTensors, to url: URL, overwrite: Bool = false) throws {
        try FileAccess.writeAtomically(encode(tensors), to: url, overwrite: overwrite)
    }

    /// `"name"` as error messages quote names from the file: escaped onto one line, shortened.
    private static func label(_ name: String) -> String { JSONValue.quoted(FormatError.excerpt(name)) }

    /// One tensor's header entry, with `end - begin` already checked against its shape.
    private struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The metadata and tensor entries of the JSON header, each checked on its own.
    private static func parseHeader(_ header: [UInt8], file: String) throws
        -> (metadata: [String: String], tensors: [Entry])
    {
        func malformed(_ problem: String) -> FormatError { FormatError(file: file, kind: .malformed, problem: problem) }
        guard case let .object(members) = try JSONValue.parse(header, file: file) else {
            throw malformed("header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [Entry] = []
        for (key, value) in members {
            if key == SafeTensors.metadataKey {
                guard case let .object(pairs) = value else { throw malformed("__metadata__ is not an object") }
                for (metadataKey, metadataValue) in pairs {
                    guard case let .string(text) = metadataValue else {
                        throw malformed("__metadata__ value for \(label(metadataKey)) is not a string")
                    }
                    metadata[metadataKey] = text
                }
            } else {
                tensors.append(try parseEntry(name: key, value, file: file))
            }
        }
        return (metadata, tensors)
    }

    /// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}` with exactly these keys.
    private static func parseEntry(name: String, _ value: JSONValue, file: String) throws -> Entry {
        let subject = "tensor \(label(name))"
        func malformed(_ problem: String) -> FormatError {
            FormatError(file: file, kind: .malformed, problem: "\(subject) \(problem)")
        }
        func integers(_ value: JSONValue?, _ field: String) throws -> [Int] {
            guard case let .array(elements) = value else { throw malformed("\(field) is not an array") }
            return try elements.map { element in
                guard case let .integer(number) = element, number >= 0 else {
                    throw malformed("\(field) has an element that is not a non-negative integer")
                }
                return number
            }
        }
        guard case let .object(fields) = value else { throw malformed("is not an object") }
        let keys = fields.map(\.key)
        guard keys.count == 3, Set(keys) == ["dtype", "shape", "data_offsets"] else {
            throw malformed("has keys \(keys), expected dtype, shape and data_offsets")
        }
        let field = { (key: String) in fields.first { $0.key == key }?.value }
        guard case let .string(code) = field("dtype") else { throw malformed("dtype is not a string") }
        guard let dtype = codes.first(where: { $0.code == code })?.dtype else {
            throw FormatError(file: file, kind: .unsupported, problem: "\(subject) has unsupported dtype \(label(code))"
                + " (supported: \(codes.map(\.code).joined(separator: " ")))")
        }
        let shape = try integers(field("shape"), "shape")
        let offsets = try integers(field("data_offsets"), "data_offsets")
        guard offsets.count == 2 else { throw malformed("data_offsets has \(offsets.count) elements, expected 2") }
        guard offsets[0] <= offsets[1] else { throw malformed("data_offsets [\(offsets[0]), \(offsets[1])] are reversed") }
        let shapeText = "shape \(ShapeArithmetic.text(shape)) of \(code)"
        guard let needed = ShapeArithmetic.byteCount(shape, elementSize: dtype.byteSize) else {
            throw malformed("\(shapeText) is too large")
        }
        let declared = offsets[1] - offsets[0]
        guard declared == needed else { throw malformed("declares \(declared) bytes but \(shapeText) needs \(needed)") }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }
}
