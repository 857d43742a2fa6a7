import Kernels

/// Throws `ModelError.weightShape` naming `name` unless `tensor` has shape `expected`.
func requireShape(_ tensor: Tensor<Float>, _ expected: [Int], name: String) throws {
    guard tensor.shape == expected else { throw ModelError.weightShape(name: name, expected: expected, actual: tensor.shape) }
}

/// Throws `ModelError.unsupportedSize` unless `value` is in 1…256, the head dimensions the attention
/// kernel supports.
func requireAttentionWidth(_ value: Int, name: String) throws {
    guard (1...256).contains(value) else { throw ModelError.unsupportedSize(name: name, value: value, allowed: "in 1…256") }
}
