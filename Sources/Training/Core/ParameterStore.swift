import Kernels

/// How a parameter tensor starts.
public enum ParameterInitializer: Sendable, Equatable {
    /// Uniform in [−bound, bound) (PyTorch's `nn.Linear` uses bound = 1/√fan_in).
    case uniform(Float)
    /// Normal with mean 0 and this standard deviation.
    case normal(Float)
    /// Every element equal to the value (norm gains 1, shifts 0).
    case constant(Float)
    /// Exactly these values, in the tensor's row-major order (initialisations the cases above cannot
    /// express, such as Mamba's A_log and δ bias); draws nothing from the generator.
    case values([Float])
}

/// One named parameter tensor inside the flat parameter buffer.
public struct ParameterEntry: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    /// First element in the flat buffer.
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// Whether AdamW's decoupled weight decay applies (matrices and embeddings; not biases or norm gains).
    public let decays: Bool
    public let initializer: ParameterInitializer
}

/// Every trainable parameter of a model in one flat `Float` buffer, tensors in registration order.
///
/// Layers register their tensors by name while the network is built and keep only offsets; the same
/// name registered again (by another replica of the network) returns the same offset. One flat buffer
/// makes AdamW, clipping, the reduction of the replicas' gradients and checkpoints single loops.
public final class ParameterStore: @unchecked Sendable {
    public private(set) var entries: [ParameterEntry] = []
    private var indexByName: [String: Int] = [:]
    /// Total number of scalars.
    public private(set) var count = 0
    private(set) var buffer = FloatBuffer(count: 0)

    init() {}

    /// The offset of `name`, registering it first if new. A name registered again must repeat its shape.
    func register(_ name: String, shape: [Int], decays: Bool, initializer: ParameterInitializer) -> Int {
        if let index = indexByName[name] {
            precondition(entries[index].shape == shape, "parameter \(name) registered with two shapes")
            return entries[index].offset
        }
        let entry = ParameterEntry(name: name, shape: shape, offset: count, decays: decays, initializer: initializer)
        indexByName[name] = entries.count
        entries.append(entry)
        count += entry.count
        return entry.offset
    }

    /// Allocates the buffer and draws every tensor, in registration order, from one generator seeded
    /// with `seed`: the same description and seed give the same initial weights, bit for bit.
    func initialize(seed: UInt64) {
        buffer = FloatBuffer(count: count)
        var generator = SeededGenerator(seed: seed)
        for entry in entries {
            let values = buffer.pointer + entry.offset
            for i in 0..<entry.count {
                switch entry.initializer {
                case .uniform(let bound): values[i] = Float((2 * generator.nextUnit() - 1) * Double(bound))
                case .normal(let std): values[i] = Float(generator.nextNormal() * Double(std))
                case .constant(let value): values[i] = value
                case .values(let given): values[i] = given[i]
                }
            }
        }
    }

    /// The values of one tensor (tests, checkpoints).
    public func values(of name: String) -> Tensor<Float>? {
        guard let entry = indexByName[name].map({ entries[$0] }) else { return nil }
        return Tensor(shape: entry.shape, elements: Array(UnsafeBufferPointer(start: buffer.pointer + entry.offset, count: entry.count)))
    }

    /// All values, flat, in registration order.
    public var flatValues: [Float] { buffer.elements }
}
