import Mixers

extension MixerChoice {
    /// Bytes (float32) of the recurrent state one sequence carries through one block when the model runs
    /// token by token: the whole KV cache 2·N·H·d for exact attention (2·w·H·d in a window), each token
    /// mixer's own `stateBytes` × H (r·(d + 1) feature sums, d² for GLA/RetNet), Mamba's E·(S + K − 1).
    public func stateBytes(model: ModelDescription) throws -> Int {
        let (n, h, d) = (model.sequenceLength, model.heads, model.headDimension)
        switch self {
        case .exact: return 2 * n * h * d * 4
        case .window(let w): return 2 * min(w, n) * h * d * 4
        case .mamba(let s): return try MambaMixer(MambaConfiguration(modelWidth: model.width, stateSize: s)).stateBytes
        default: return try mixerDescription(layer: 0, model: model).makeMixer().stateBytes(n: n, d: d) * h
        }
    }
}
