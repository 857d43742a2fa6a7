import Attention

/// Which implementation an `AttentionLayer` runs; all compute the same function.
enum AttentionPath: Sendable {
    /// `ShortSequenceAttention`: loops over the fused projection, for N ≤ 64.
    case short
    /// `MaterializedAttention`: GEMMs over the fused projection with P kept, for N ≤ 256.
    case materialized
    /// The flash kernels on head-major copies; any length and explicit masks.
    case flash

    /// Probabilities the materialised path may keep per layer and replica (64 MiB).
    static let probabilityBudget = 1 << 24

    /// The fastest path for the shape: the two fused paths up to their lengths (the materialised one
    /// while B·H·N² fits `probabilityBudget`), else flash. Explicit masks always go through flash.
    static func fastest(length: Int, heads: Int, batch: Int, mask: AttentionMask) -> AttentionPath {
        if case .explicit = mask { return .flash }
        if length <= ShortSequenceAttention.maximumLength { return .short }
        if length <= MaterializedAttention.maximumLength && batch * heads * length * length <= probabilityBudget {
            return .materialized
        }
        return .flash
    }
}

/// Attention that reads queries, keys and values in place from a fused projection `[B·N, 3·H·d]` and
/// writes the heads' outputs side by side `[B·N, H·d]` (backward: dQ | dK | dV into `[B·N, 3·H·d]`).
protocol FusedProjectionAttention {
    func forward(_ projected: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int)
    func backward(_ projected: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
                  gradProjected: UnsafeMutablePointer<Float>, batch: Int)
}

extension ShortSequenceAttention: FusedProjectionAttention {}
extension MaterializedAttention: FusedProjectionAttention {}
