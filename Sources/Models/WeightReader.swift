import Formats
import Kernels

/// Reads a model's tensors out of a safetensors file with the checks loading needs: every tensor the
/// model asks for must exist, be floating-point and have the expected shape; afterwards
/// `rejectUnused` fails on any tensor nobody asked for. Errors name the tensor or metadata key.
struct WeightReader {
    let file: SafeTensors
    private var used: Set<String> = []

    init(_ file: SafeTensors) {
        self.file = file
    }

    func contains(_ name: String) -> Bool { file[name] != nil }

    /// The tensor `name` as Float32, whatever its shape.
    mutating func read(_ name: String) throws -> Tensor<Float> {
        guard let array = file[name] else { throw ModelError.missingTensor(name) }
        guard array.isFloatingPoint else { throw ModelError.tensorType(name: name, dtype: array.dtype.rawValue) }
        used.insert(name)
        return Tensor(shape: array.shape, elements: array.floats())
    }

    /// The tensor `name` as Float32; it must have shape `shape`.
    mutating func read(_ name: String, shape: [Int]) throws -> Tensor<Float> {
        let tensor = try read(name)
        try requireShape(tensor, shape, name: name)
        return tensor
    }

    /// The MLP of layer `layer` for embedding m (hidden width from `w1`).
    mutating func readMLP(layer: Int, embedding m: Int, activation: Activation) throws -> PaperMLP {
        let name = { ModelWeightNames.mlp(layer: layer, $0) }
        let weight1 = try read(name("w1"))
        guard weight1.rank == 2, weight1.shape[0] == m, weight1.shape[1] >= 1 else {
            throw ModelError.weightShape(name: name("w1"), expected: [m, max(1, weight1.shape.last ?? 1)], actual: weight1.shape)
        }
        let f = weight1.shape[1]
        return PaperMLP(weight1: weight1, bias1: try read(name("b1"), shape: [f]), weight2: try read(name("w2"), shape: [f, m]),
                        bias2: try read(name("b2"), shape: [m]), activation: activation)
    }

    /// Whether layer `layer` has any MLP tensor (then it must have all four).
    func hasMLP(layer: Int) -> Bool {
        ["w1", "b1", "w2", "b2"].contains { contains(ModelWeightNames.mlp(layer: layer, $0)) }
    }

    /// The metadata value `key`, which must be present.
    func metadata(_ key: String, expected: String) throws -> String {
        guard let value = file.metadata[key] else { throw ModelError.metadata(key: key, value: nil, expected: expected) }
        return value
    }

    /// Requires metadata `"model"` to be `kind`.
    func requireModel(_ kind: String) throws {
        let value = try metadata("model", expected: "\"\(kind)\"")
        guard value == kind else { throw ModelError.metadata(key: "model", value: value, expected: "\"\(kind)\"") }
    }

    /// A positive integer from metadata `key`.
    func positiveInteger(_ key: String) throws -> Int {
        let value = try metadata(key, expected: "a positive integer")
        guard let number = Int(value), number >= 1 else {
            throw ModelError.metadata(key: key, value: value, expected: "a positive integer")
        }
        return number
    }

    /// The activation named by metadata `"activation"`.
    func activation() throws -> Activation {
        let expected = "one of " + Activation.allCases.map(\.rawValue).joined(separator: ", ")
        let value = try metadata("activation", expected: expected)
        guard let activation = Activation(rawValue: value) else {
            throw ModelError.metadata(key: "activation", value: value, expected: expected)
        }
        return activation
    }

    /// Throws `ModelError.unexpectedTensor` for the first tensor (in file order) never read.
    func rejectUnused() throws {
        if let extra = file.names.first(where: { !used.contains($0) }) { throw ModelError.unexpectedTensor(extra) }
    }
}

extension SafeTensors {
    /// A file of float32 tensors in the given order, with `metadata`.
    init(namedWeights: [(name: String, tensor: Tensor<Float>)], metadata: [String: String]) {
        self.init(metadata: metadata)
        for (name, tensor) in namedWeights { self[name] = NDArray(shape: tensor.shape, floats: tensor.elements) }
    }
}
