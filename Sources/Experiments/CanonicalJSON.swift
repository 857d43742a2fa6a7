import Foundation

/// One JSON text per value, the same on every run and machine: keys sorted, no whitespace.
///
/// Sweep points and configurations are identified by this text (`pointKey`) and by its hash
/// (`configHash`), so two processes describing the same point produce the same key.
public enum CanonicalJSON {
    /// The canonical JSON text of `value`, e.g. `{"heads":4,"n":1024}`.
    public static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The key that names one sweep point in the results store.
    public static func pointKey(_ point: some Encodable) throws -> String { try string(point) }

    /// 16 hex digits identifying a configuration: 64-bit FNV-1a of its canonical JSON. Include in the
    /// configuration only what changes the measurements (sizes, repeats, precision), not where output
    /// goes or which shard runs, so resumed and sharded runs share the hash.
    public static func hash(_ config: some Encodable) throws -> String { hash(text: try string(config)) }

    /// 64-bit FNV-1a of `text`'s UTF-8 bytes, as 16 lowercase hex digits.
    public static func hash(text: String) -> String {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            state ^= UInt64(byte)
            state &*= 0x0000_0100_0000_01b3
        }
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Any JSON value, for reading stored point keys and values without knowing their Swift type.
public enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text.
    public init(parsing text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// The fields of an object; empty for any other value.
    public var fields: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }

    /// The number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// Text for a table cell: numbers compactly, strings bare, arrays and objects as canonical JSON.
    public var cellText: String {
        switch self {
        case .null: ""
        case .bool(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): value
        case .array, .object: (try? CanonicalJSON.string(self)) ?? ""
        }
    }
}
