/// Every mixer by name: the token mixer kinds (`MixerKind`) and the Mamba block, which mixes X `[B, N, m]`
/// rather than Q, K, V. What the benchmark and the scaling experiment take on the command line.
public enum MixerName: String, Codable, Sendable, CaseIterable {
    case exact, window, linear, based, performer, polynomial, linformer, nystrom, gla, retnet, mamba

    /// The token mixer kind, nil for Mamba.
    public var tokenKind: MixerKind? { MixerKind(rawValue: rawValue) }

    /// Whether the mixer only exists causally (window, GLA, RetNet, Mamba).
    public var isCausalOnly: Bool { tokenKind.map { !$0.allowsNonCausal } ?? true }
}
