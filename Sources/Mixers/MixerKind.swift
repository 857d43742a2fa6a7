/// The token mixers this layer provides (Mamba, which mixes `X [B, N, m]` rather than Q, K, V, is not here).
///
/// Which masking each allows, and why:
/// - `exact`, `linear`, `based`, `polynomial`: causal and non-causal.
/// - `window`, `gla`, `retnet`: causal only. The window is defined as keys i − w < j ≤ i; GLA and RetNet are
///   recurrences S_t = diag(α_t)·S_{t−1} + k_tᵀv_t over the past.
public enum MixerKind: String, Codable, Sendable, CaseIterable {
    case exact, window, linear, based, polynomial, gla, retnet

    public var allowsCausal: Bool { true }
    public var allowsNonCausal: Bool { self != .window && self != .gla && self != .retnet }
}
