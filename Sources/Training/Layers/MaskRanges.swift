import Attention

// The structural masks as contiguous ranges over one sequence of N tokens (queries and keys aligned),
// for the attention paths of the training layers. Explicit masks are not structural: they go through
// the flash kernels, which add their table.

extension AttentionMask {
    /// The keys any query of `queries` sees (a union of contiguous ranges is contiguous here):
    /// 0..<N, 0..<last + 1 (causal), or the window's span.
    func keyRange(seenBy queries: Range<Int>, length: Int) -> Range<Int> {
        switch self {
        case .causal: return 0..<queries.upperBound
        case .slidingWindow(let w): return max(0, queries.lowerBound - w + 1)..<queries.upperBound
        case .none, .explicit: return 0..<length
        }
    }

    /// The queries that see any key of `keys`: 0..<N, first..<N (causal), or the window's span.
    func queryRange(seeing keys: Range<Int>, length: Int) -> Range<Int> {
        switch self {
        case .causal: return keys.lowerBound..<length
        case .slidingWindow(let w): return keys.lowerBound..<min(length, keys.upperBound - 1 + w)
        case .none, .explicit: return 0..<length
        }
    }
}
