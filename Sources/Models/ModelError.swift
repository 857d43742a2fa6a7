/// Why a model cannot run, or why a weights file cannot become a model.
///
/// Every case names what is wrong — a weight by its safetensors name (see `ModelWeightNames`), an input
/// by its role — together with what was expected and what came, so `description` is a complete one-line
/// message for a user.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model has no layers, or a layer has no heads.
    case emptyModel(String)
    /// A weight does not have the shape the rest of the model implies.
    case weightShape(name: String, expected: [Int], actual: [Int])
    /// A size the attention kernel cannot handle, or one that does not fit the model (e.g. heads that do
    /// not divide the embedding): `name` says which size, `allowed` what would be accepted.
    case unsupportedSize(name: String, value: Int, allowed: String)
    /// The layers disagree on something that must be shared (e.g. the number of heads).
    case inconsistentLayers(String)
    /// An input or gradient has the wrong shape.
    case inputShape(name: String, expected: String, actual: [Int])
    /// A weights file lacks a tensor the model needs.
    case missingTensor(String)
    /// A weights file has a tensor the model does not use.
    case unexpectedTensor(String)
    /// A weights file stores a tensor in a non-floating-point dtype.
    case tensorType(name: String, dtype: String)
    /// A weights file's `__metadata__` lacks a key or has a value that cannot be used.
    case metadata(key: String, value: String?, expected: String)

    public var description: String {
        switch self {
        case .emptyModel(let problem):
            return "empty model: \(problem)"
        case let .weightShape(name, expected, actual):
            return "weight \(name) has shape \(actual), expected \(expected)"
        case let .unsupportedSize(name, value, allowed):
            return "\(name) is \(value), must be \(allowed)"
        case .inconsistentLayers(let problem):
            return "inconsistent layers: \(problem)"
        case let .inputShape(name, expected, actual):
            return "\(name) has shape \(actual), expected \(expected)"
        case .missingTensor(let name):
            return "weights file has no tensor \(name)"
        case .unexpectedTensor(let name):
            return "weights file has tensor \(name), which this model does not use"
        case let .tensorType(name, dtype):
            return "tensor \(name) has dtype \(dtype), expected a floating-point dtype"
        case let .metadata(key, value, expected):
            return "metadata \"\(key)\" is \(value.map { "\"\($0)\"" } ?? "missing"), expected \(expected)"
        }
    }
}
