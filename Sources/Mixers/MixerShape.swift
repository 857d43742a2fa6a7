/// The sizes of one mixer call, checked once at the boundary.
///
/// Legend: B batch, H heads, N tokens, D head dimension. Queries, keys and values are all `[B, H, N, D]`
/// (or all `[H, N, D]`, read as B = 1) and share one shape: unlike exact attention, the mixers here do not
/// take fewer key/value heads or a different key length.
public struct MixerShape: Sendable, Equatable {
    public let batch: Int
    public let heads: Int
    public let length: Int
    public let headDimension: Int

    /// B·H: the independent heads every mixer loops over.
    public var flatHeads: Int { batch * heads }

    public init(queries: [Int], keys: [Int], values: [Int]) throws {
        for (name, shape) in [("queries", queries), ("keys", keys), ("values", values)]
        where shape.count != 3 && shape.count != 4 {
            throw MixerError.badRank(name: name, shape: shape)
        }
        guard queries == keys, keys == values else {
            throw MixerError.mismatch("queries \(queries), keys \(keys) and values \(values) must have the same shape")
        }
        guard queries.allSatisfy({ $0 >= 1 }) else {
            throw MixerError.mismatch("empty dimension in queries \(queries)")
        }
        let full = queries.count == 3 ? [1] + queries : queries
        self.init(batch: full[0], heads: full[1], length: full[2], headDimension: full[3])
    }

    public init(batch: Int, heads: Int, length: Int, headDimension: Int) {
        precondition(batch >= 1 && heads >= 1 && length >= 1 && headDimension >= 1, "invalid mixer shape")
        self.batch = batch
        self.heads = heads
        self.length = length
        self.headDimension = headDimension
    }
}
