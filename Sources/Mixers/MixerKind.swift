/// The token mixers this layer provides (Mamba, which mixes `X [B, N, m]` rather than Q, K, V, is not here).
///
/// Which masking each allows, and why:
/// - `exact`, `linear`, `based`, `performer`, `polynomial`: causal and non-causal.
/// - `window`, `gla`, `retnet`: causal only. The window is defined as keys i − w < j ≤ i; GLA and RetNet are
///   recurrences S_t = diag(α_t)·S_{t−1} + k_tᵀv_t over the past.
/// - `linformer`, `nystrom`: non-causal only. Linformer mixes all N keys into k rows with E, F ∈ R^{k×N},
///   and Nyström's landmarks are means over segments of the whole sequence, so every output sees the future.
public enum MixerKind: String, Codable, Sendable, CaseIterable {
    case exact, window, linear, based, performer, polynomial, linformer, nystrom, gla, retnet

    public var allowsCausal: Bool { self != .linformer && self != .nystrom }
    public var allowsNonCausal: Bool { self != .window && self != .gla && self != .retnet }
}
