import Attention
import Kernels

/// Which exact-attention algorithm a point times.
public enum AttentionPath: String, Codable, Sendable, CaseIterable {
    /// `scaledDotProductAttention`: tiled, online softmax, the N × N scores never stored.
    case flash
    /// `materialisingAttention`: the full score matrix, softmax, then a second GEMM.
    case naive
}

/// Random queries, keys and values `[1, heads, length, width]` (standard normal, fixed seeds), the inputs
/// every attention timing uses. Cost: 3·heads·length·width normal draws.
struct AttentionInputs: Sendable {
    let queries: Tensor<Float>
    let keys: Tensor<Float>
    let values: Tensor<Float>

    init(heads: Int, length: Int, width: Int, seed: UInt64 = 1) {
        let shape = [1, heads, length, width]
        queries = .normal(shape, seed: seed)
        keys = .normal(shape, seed: seed + 1)
        values = .normal(shape, seed: seed + 2)
    }

    var shape: AttentionShape {
        AttentionShape(batch: 1, queryHeads: queries.shape[1], keyValueHeads: keys.shape[1],
                       queryLength: queries.shape[2], keyLength: keys.shape[2], headDimension: queries.shape[3])
    }

    /// One forward pass over all heads with `path`.
    func forward(_ path: AttentionPath, threads: Int) throws {
        switch path {
        case .flash:
            let result = try scaledDotProductAttention(queries: queries, keys: keys, values: values, threads: threads)
            blackHole(result.output.withUnsafeBufferPointer { $0[0] })
        case .naive:
            let output = try materialisingAttention(queries: queries, keys: keys, values: values, threads: threads)
            blackHole(output.withUnsafeBufferPointer { $0[0] })
        }
    }
}

/// Checks shared by the experiments' configurations; each throws `ExperimentError.invalidOption`.
enum OptionCheck {
    /// Every size in `values` is ≥ 1 and the list is not empty.
    static func sizes(_ values: [Int], _ name: String) throws(ExperimentError) {
        guard !values.isEmpty else { throw .invalidOption("\(name) needs at least one value") }
        if let bad = values.first(where: { $0 < 1 }) {
            throw .invalidOption("\(name) must be positive, got \(bad)")
        }
    }

    /// `value` ≥ 1.
    static func size(_ value: Int, _ name: String) throws(ExperimentError) {
        guard value >= 1 else { throw .invalidOption("\(name) must be positive, got \(value)") }
    }

    /// 1 ≤ every head dimension ≤ 256 (the flash kernel's limit).
    static func headDimensions(_ values: [Int], _ name: String) throws(ExperimentError) {
        try sizes(values, name)
        if let bad = values.first(where: { $0 > 256 }) {
            throw .invalidOption("\(name) must be at most 256 (the attention kernel's limit), got \(bad)")
        }
    }

    /// The list has no repeated value (a repeated point would be measured once but fitted twice).
    static func distinct<T: Hashable>(_ values: [T], _ name: String) throws(ExperimentError) {
        guard Set(values).count == values.count else { throw .invalidOption("\(name) lists a value twice: \(values)") }
    }
}
