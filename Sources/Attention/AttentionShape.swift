import Kernels

/// The sizes of one attention call, checked once at the boundary.
///
/// Legend: B batch, H_q query heads, H_kv key/value heads (H_q a multiple of H_kv: grouped-query;
/// H_kv = 1: multi-query), N_q queries, N_kv keys, D head dimension. Queries `[B, H_q, N_q, D]`,
/// keys and values `[B, H_kv, N_kv, D]`, output `[B, H_q, N_q, D]`, log-sum-exp `[B, H_q, N_q]`.
public struct AttentionShape: Sendable, Equatable, Codable {
    public let batch: Int
    public let queryHeads: Int
    public let keyValueHeads: Int
    public let queryLength: Int
    public let keyLength: Int
    public let headDimension: Int

    /// Reads and validates the shapes of queries, keys and values (rank 3 `[H, N, D]` or rank 4).
    public init(queries: [Int], keys: [Int], values: [Int]) throws {
        for (name, shape) in [("queries", queries), ("keys", keys), ("values", values)]
        where shape.count != 3 && shape.count != 4 {
            throw AttentionError.badRank(name: name, shape: shape)
        }
        guard queries.count == keys.count, keys.count == values.count else {
            throw AttentionError.mismatch("queries \(queries), keys \(keys) and values \(values) must all be [H, N, D] or all [B, H, N, D]")
        }
        let q = queries.count == 3 ? [1] + queries : queries
        let k = keys.count == 3 ? [1] + keys : keys
        let v = values.count == 3 ? [1] + values : values
        guard k == v else { throw AttentionError.mismatch("keys \(keys) and values \(values) must have the same shape") }
        guard q[0] == k[0] else { throw AttentionError.mismatch("queries \(queries) and keys \(keys) differ in batch size") }
        guard q[3] == k[3] else { throw AttentionError.mismatch("queries \(queries) and keys \(keys) differ in head dimension") }
        guard k[1] >= 1, q[1] % k[1] == 0 else {
            throw AttentionError.mismatch("query heads \(q[1]) must be a multiple of key/value heads \(k[1]) (queries \(queries), keys \(keys))")
        }
        guard q.allSatisfy({ $0 >= 1 }), k.allSatisfy({ $0 >= 1 }) else {
            throw AttentionError.mismatch("empty dimension in queries \(queries) or keys \(keys)")
        }
        guard q[3] <= 256 else { throw AttentionError.mismatch("head dimension \(q[3]) is above the supported 256") }
        self.init(batch: q[0], queryHeads: q[1], keyValueHeads: k[1], queryLength: q[2], keyLength: k[2], headDimension: q[3])
    }

    public init(batch: Int, queryHeads: Int, keyValueHeads: Int, queryLength: Int, keyLength: Int, headDimension: Int) {
        precondition(batch >= 1 && queryHeads >= 1 && keyValueHeads >= 1 && queryHeads % keyValueHeads == 0
                     && queryLength >= 1 && keyLength >= 1 && headDimension >= 1, "invalid attention shape")
        self.batch = batch
        self.queryHeads = queryHeads
        self.keyValueHeads = keyValueHeads
        self.queryLength = queryLength
        self.keyLength = keyLength
        self.headDimension = headDimension
    }

    /// Query heads that share one key/value head.
    public var groupSize: Int { queryHeads / keyValueHeads }

    /// The key/value head (flattened over batch) that query head `head` (flattened over batch) reads.
    func keyValueHead(of head: Int) -> Int {
        (head / queryHeads) * keyValueHeads + (head % queryHeads) / groupSize
    }

    /// Checks an explicit mask's shape and a sliding window's width.
    func validate(_ mask: AttentionMask) throws {
        switch mask {
        case .slidingWindow(let w) where w < 1:
            throw AttentionError.mismatch("sliding window width must be at least 1, got \(w)")
        case .explicit(let table) where table.shape != [queryLength, keyLength]:
            throw AttentionError.mismatch("explicit mask has shape \(table.shape), expected [\(queryLength), \(keyLength)]")
        default: break
        }
    }

    /// FLOPs of the forward pass, 4·B·H_q·N_q·N_kv·D (two matrix products), halved for a causal mask.
    public func forwardFLOPs(causal: Bool) -> Double {
        let full = 4 * Double(batch * queryHeads) * Double(queryLength) * Double(keyLength) * Double(headDimension)
        return causal ? full / 2 : full
    }
}

/// A user-facing attention error: what was expected and what came.
public enum AttentionError: Error, Equatable, CustomStringConvertible {
    case badRank(name: String, shape: [Int])
    case mismatch(String)

    public var description: String {
        switch self {
        case .badRank(let name, let shape):
            return "\(name) has shape \(shape) (rank \(shape.count)); expected [H, N, D] or [B, H, N, D]"
        case .mismatch(let text): return text
        }
    }
}
