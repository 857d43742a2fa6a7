/// A cursor over the bytes of a text header, shared by the `.npy` (Python literal) and safetensors (JSON)
/// parsers. Every failure is a `FormatError` naming the file and the byte offset within the header.
struct ByteScanner {
    /// Deepest nesting of brackets a header may use; bounds the parsers' recursion.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private let file: String
    private(set) var position = 0

    init(_ bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var isAtEnd: Bool { position == bytes.count }

    /// The next byte without consuming it, or nil at the end.
    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    /// A `.malformed` error at the current position.
    func error(_ problem: String) -> FormatError {
        let place = isAtEnd ? "at the end of the header (byte \(position))" : "at byte \(position)"
        return FormatError(file: file, kind: .malformed, problem: "header: \(problem) \(place)")
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            position += 1
        }
    }

    /// Skips trailing whitespace and throws unless that reaches the end; `what` names the parsed value.
    mutating func expectEnd(after what: String) throws {
        skipWhitespace()
        guard isAtEnd else { throw error("unexpected text after the \(what)") }
    }

    /// Consumes `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Consumes `word` (e.g. `True`, `null`) if it comes next.
    mutating func consume(word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard bytes.count - position >= utf8.count, bytes[position..<position + utf8.count].elementsEqual(utf8)
        else { return false }
        position += utf8.count
        return true
    }

    mutating func expect(_ byte: UInt8) throws {
        guard consume(byte) else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
    }

    /// Consumes one byte and returns it, or throws at the end.
    mutating func next() throws -> UInt8 {
        guard let byte = peek() else { throw error("expected more text") }
        position += 1
        return byte
    }

    /// An integer `-?(0|[1-9][0-9]*)`; throws if it does not fit in `Int`.
    mutating func integer() throws -> Int {
        let start = position
        _ = consume(UInt8(ascii: "-"))
        guard let first = peek(), isDigit(first) else { throw error("expected a digit") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = peek(), isDigit(byte) { position += 1 }
        }
        guard let value = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else {
            throw error("integer out of range")
        }
        return value
    }

    /// Consumes digits `[0-9]+`.
    mutating func digits() throws {
        guard let first = peek(), isDigit(first) else { throw error("expected a digit") }
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    /// The raw bytes of `range`.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
