/// The contents of a safetensors file: named arrays in file order plus free-form string metadata.
///
/// Names are unique; setting an existing name replaces its array in place, a new name is appended.
public struct SafeTensors: Sendable, Equatable {
    /// The header key reserved for metadata; no tensor may have this name.
    public static let metadataKey = "__metadata__"

    /// Tensor names in file order (the order of their data in the file).
    public private(set) var names: [String] = []
    private var arrays: [String: NDArray] = [:]
    /// The `__metadata__` string-to-string map (empty when the file has none).
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Number of tensors.
    public var count: Int { names.count }

    /// The array named `name`; assigning nil removes it. Requires `name != "__metadata__"`.
    public subscript(name: String) -> NDArray? {
        get { arrays[name] }
        set {
            precondition(name != Self.metadataKey, "\"\(Self.metadataKey)\" is reserved for metadata")
            if let newValue {
                if arrays.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if arrays.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// The tensors as (name, array) pairs in file order.
    public var tensors: [(name: String, array: NDArray)] {
        names.map { ($0, arrays[$0]!) }
    }
}
