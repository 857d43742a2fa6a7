import Kernels

/// Which keys each query may attend to.
///
/// Positions are 0-based; with N_q ≠ N_kv the causal masks align like PyTorch's `is_causal`
/// (top-left): query i sees keys j ≤ i whatever the lengths. A query that sees no key at all returns
/// zeros and gets zero gradients (never NaN).
public enum AttentionMask: Sendable {
    /// Every query sees every key.
    case none
    /// Query i sees keys j ≤ i.
    case causal
    /// Causal with a window of `w ≥ 1` keys: query i sees keys j with i − w < j ≤ i.
    case slidingWindow(Int)
    /// An explicit `[N_q, N_kv]` mask added to the scaled scores, broadcast over batch and heads:
    /// 0 keeps a key, −∞ removes it, other values bias it. See `AttentionMask.allowing(_:)` for booleans.
    case explicit(Tensor<Float>)

    /// An explicit mask from a boolean `[N_q, N_kv]` table (`true` = the query may see the key).
    public static func allowing(_ allowed: [Bool], queries: Int, keys: Int) -> AttentionMask {
        precondition(allowed.count == queries * keys, "boolean mask has \(allowed.count) entries, not \(queries)×\(keys)")
        return .explicit(Tensor(shape: [queries, keys], elements: allowed.map { $0 ? 0 : -Float.infinity }))
    }

    /// Whether query `query` sees key `key` under a structural mask (explicit masks: always; their values
    /// are added separately).
    @inline(__always) func sees(query: Int, key: Int) -> Bool {
        switch self {
        case .none, .explicit: return true
        case .causal: return key <= query
        case .slidingWindow(let w): return key <= query && key > query - w
        }
    }

    /// Lane-wise `sees(query:key:)` for one vector of (query, key) pairs (explicit masks: all true).
    @inline(__always) func sees(queries: IntVector, keys: IntVector) -> SIMDMask<IntVector> {
        switch self {
        case .none, .explicit: return SIMDMask(repeating: true)
        case .causal: return keys .<= queries
        case .slidingWindow(let w): return (keys .<= queries) .& (keys .> queries &- IntVector(repeating: Int32(clamping: w)))
        }
    }

    /// The keys any query of `queries` may see, as a contiguous range of `0..<keyCount`.
    public func visibleKeys(for queries: Range<Int>, keyCount: Int) -> Range<Int> {
        switch self {
        case .none, .explicit: return 0..<keyCount
        case .causal: return 0..<min(keyCount, queries.upperBound)
        case .slidingWindow(let w):
            let lower = min(keyCount, max(0, queries.lowerBound - w + 1))
            return lower..<max(lower, min(keyCount, queries.upperBound))
        }
    }

    /// The queries of `0..<queryCount` that may see any key of `keys`, as a contiguous range.
    public func visibleQueries(for keys: Range<Int>, queryCount: Int) -> Range<Int> {
        switch self {
        case .none, .explicit: return 0..<queryCount
        case .causal:
            let lower = min(queryCount, keys.lowerBound)
            return lower..<queryCount
        case .slidingWindow(let w):
            let lower = min(queryCount, keys.lowerBound)
            return lower..<max(lower, min(queryCount, keys.upperBound - 1 + w))
        }
    }

    /// Whether every query of `queries` sees every key of `keys` with no additive term, so a tile can
    /// skip masking.
    func seesAll(queries: Range<Int>, keys: Range<Int>) -> Bool {
        switch self {
        case .none: return true
        case .explicit: return false
        case .causal: return keys.upperBound - 1 <= queries.lowerBound
        case .slidingWindow(let w):
            return keys.upperBound - 1 <= queries.lowerBound && keys.lowerBound > queries.upperBound - 1 - w
        }
    }

    /// The explicit additive table, if any.
    var additive: Tensor<Float>? {
        if case .explicit(let table) = self { return table }
        return nil
    }
}
