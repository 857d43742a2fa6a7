/// The subset of Python literal syntax a `.npy` header uses, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
///
/// The parser is strict: anything outside dicts with string keys, tuples, lists, quoted strings without
/// escapes, integers (optionally with Python 2's `L`), `True`, `False` and `None` is an error.
indirect enum PythonLiteral {
    case dict([(key: String, value: PythonLiteral)])
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case string(String)
    case integer(Int)
    case bool(Bool)
    case none

    /// Parses `bytes` as one literal followed only by whitespace. O(bytes).
    static func parse(_ bytes: [UInt8], file: String) throws -> PythonLiteral {
        var scanner = ByteScanner(bytes, file: file)
        let value = try parseValue(&scanner, depth: 0)
        try scanner.expectEnd(after: "header dictionary")
        return value
    }

    private static func parseValue(_ scanner: inout ByteScanner, depth: Int) throws -> PythonLiteral {
        guard depth < ByteScanner.maximumDepth else { throw scanner.error("nested too deeply") }
        scanner.skipWhitespace()
        switch scanner.peek() ?? 0 {
        case UInt8(ascii: "{"):
            return .dict(try parseSequence(&scanner, close: UInt8(ascii: "}")) { scanner in
                guard case let .string(key) = try parseValue(&scanner, depth: depth + 1) else {
                    throw scanner.error("dictionary key is not a string")
                }
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                return (key, try parseValue(&scanner, depth: depth + 1))
            })
        case UInt8(ascii: "["):
            return .list(try parseSequence(&scanner, close: UInt8(ascii: "]")) { try parseValue(&$0, depth: depth + 1) })
        case UInt8(ascii: "("):
            return try parseParenthesised(&scanner, depth: depth)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString(&scanner))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let value = try scanner.integer()
            _ = scanner.consume(UInt8(ascii: "L"))
            return .integer(value)
        default:
            if scanner.consume(word: "True") { return .bool(true) }
            if scanner.consume(word: "False") { return .bool(false) }
            if scanner.consume(word: "None") { return .none }
            throw scanner.error("expected a Python literal")
        }
    }

    /// `(` … `)`: a tuple when empty or when it contains a comma, otherwise just the parenthesised value.
    private static func parseParenthesised(_ scanner: inout ByteScanner, depth: Int) throws -> PythonLiteral {
        try scanner.expect(UInt8(ascii: "("))
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: ")")) { return .tuple([]) }
        var elements = [try parseValue(&scanner, depth: depth + 1)]
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: ")")) { return elements[0] }
        try scanner.expect(UInt8(ascii: ","))
        while true {
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ")")) { return .tuple(elements) }
            elements.append(try parseValue(&scanner, depth: depth + 1))
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: ")")) { return .tuple(elements) }
            try scanner.expect(UInt8(ascii: ","))
        }
    }

    /// Elements separated by commas, a trailing comma allowed, up to `close`; the opening byte comes next.
    private static func parseSequence<Element>(
        _ scanner: inout ByteScanner, close: UInt8, element: (inout ByteScanner) throws -> Element
    ) throws -> [Element] {
        _ = try scanner.next()
        var elements: [Element] = []
        while true {
            scanner.skipWhitespace()
            if scanner.consume(close) { return elements }
            elements.append(try element(&scanner))
            scanner.skipWhitespace()
            if scanner.consume(close) { return elements }
            try scanner.expect(UInt8(ascii: ","))
        }
    }

    /// A string in single or double quotes; escapes and line breaks are not accepted.
    private static func parseString(_ scanner: inout ByteScanner) throws -> String {
        let quote = try scanner.next()
        let start = scanner.position
        while true {
            let byte = try scanner.next()
            if byte == quote { break }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { throw scanner.error("unsupported character in string") }
        }
        return String(decoding: scanner.slice(start..<scanner.position - 1), as: UTF8.self)
    }
}
