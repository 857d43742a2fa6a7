/// A JSON value as the safetensors header needs it: objects keep their key order and reject duplicate
/// keys, integers are exact `Int`s (no round trip through Double), other numbers are only recognised.
indirect enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(Int)
    /// A number with a fraction or exponent; the header never needs its value.
    case nonIntegerNumber
    case bool(Bool)
    case null

    /// Parses `bytes` (UTF-8, RFC 8259) as one value followed only by whitespace. O(bytes).
    static func parse(_ bytes: [UInt8], file: String) throws -> JSONValue {
        var scanner = ByteScanner(bytes, file: file)
        let value = try parseValue(&scanner, depth: 0)
        try scanner.expectEnd(after: "JSON value")
        return value
    }

    /// `text` as a JSON string literal with quotes: `"`, `\` and control characters escaped. O(text).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func parseValue(_ scanner: inout ByteScanner, depth: Int) throws -> JSONValue {
        guard depth < ByteScanner.maximumDepth else { throw scanner.error("nested too deeply") }
        scanner.skipWhitespace()
        switch scanner.peek() ?? 0 {
        case UInt8(ascii: "{"): return try parseObject(&scanner, depth: depth)
        case UInt8(ascii: "["):
            _ = try scanner.next()
            var elements: [JSONValue] = []
            scanner.skipWhitespace()
            if scanner.consume(UInt8(ascii: "]")) { return .array(elements) }
            repeat {
                elements.append(try parseValue(&scanner, depth: depth + 1))
                scanner.skipWhitespace()
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"))
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try parseString(&scanner))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber(&scanner)
        default:
            if scanner.consume(word: "true") { return .bool(true) }
            if scanner.consume(word: "false") { return .bool(false) }
            if scanner.consume(word: "null") { return .null }
            throw scanner.error("expected a JSON value")
        }
    }

    private static func parseObject(_ scanner: inout ByteScanner, depth: Int) throws -> JSONValue {
        try scanner.expect(UInt8(ascii: "{"))
        var members: [(key: String, value: JSONValue)] = []
        var keys: Set<String> = []
        scanner.skipWhitespace()
        if scanner.consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            scanner.skipWhitespace()
            guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a string key") }
            let key = try parseString(&scanner)
            guard keys.insert(key).inserted else { throw scanner.error("duplicate key \(quoted(FormatError.excerpt(key)))") }
            scanner.skipWhitespace()
            try scanner.expect(UInt8(ascii: ":"))
            members.append((key, try parseValue(&scanner, depth: depth + 1)))
            scanner.skipWhitespace()
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return .object(members)
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`; an integer must fit in `Int`.
    private static func parseNumber(_ scanner: inout ByteScanner) throws -> JSONValue {
        let integer = try scanner.integer()
        var isInteger = true
        if scanner.consume(UInt8(ascii: ".")) {
            try scanner.digits()
            isInteger = false
        }
        if scanner.consume(UInt8(ascii: "e")) || scanner.consume(UInt8(ascii: "E")) {
            _ = scanner.consume(UInt8(ascii: "+")) || scanner.consume(UInt8(ascii: "-"))
            try scanner.digits()
            isInteger = false
        }
        return isInteger ? .integer(integer) : .nonIntegerNumber
    }

    /// A string with JSON escapes (surrogate pairs combined); the bytes must be valid UTF-8.
    private static func parseString(_ scanner: inout ByteScanner) throws -> String {
        try scanner.expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            let byte = try scanner.next()
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validatingUTF8Bytes: utf8) else { throw scanner.error("invalid UTF-8 in string") }
                return string
            case UInt8(ascii: "\\"): utf8 += try parseEscape(&scanner)
            case ..<0x20: throw scanner.error("control character in string")
            default: utf8.append(byte)
            }
        }
    }

    /// The UTF-8 bytes of the escape after a backslash.
    private static func parseEscape(_ scanner: inout ByteScanner) throws -> [UInt8] {
        let byte = try scanner.next()
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            var code = try parseHex4(&scanner)
            if (0xD800..<0xDC00).contains(code) {
                guard scanner.consume(word: "\\u") else { throw scanner.error("unpaired surrogate") }
                let low = try parseHex4(&scanner)
                guard (0xDC00..<0xE000).contains(low) else { throw scanner.error("unpaired surrogate") }
                code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw scanner.error("unpaired surrogate") }
            return Array(String(Character(scalar)).utf8)
        default: throw scanner.error("invalid escape")
        }
    }

    private static func parseHex4(_ scanner: inout ByteScanner) throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = try scanner.next()
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw scanner.error("invalid \\u escape") }
            code = code << 4 | UInt32(digit)
        }
        return code
    }
}

extension String {
    /// The string whose UTF-8 encoding is `bytes`, or nil if they are not valid UTF-8.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): scalars.append(scalar)
            case .emptyInput:
                self = String(scalars)
                return
            case .error: return nil
            }
        }
    }
}
