/// The sizes and initialisation of one Mamba block (Gu & Dao 2023; state-spaces/mamba
/// `mamba_ssm/modules/mamba_simple.py`), plain and `Codable` so an experiment can store and re-run it.
/// Missing fields decode to the defaults below, which are `mamba_simple.py`'s.
///
/// - `modelWidth` m: width of the block's input and output.
/// - `stateSize` d_state (default 16): SSM state per channel.
/// - `convolutionWidth` d_conv (default 4): kernel of the causal depthwise convolution.
/// - `expand` (default 2): d_inner = expand·m channels.
/// - `dtRank` (default ⌈m/16⌉): rank of the δ projection.
/// - `dtMin`, `dtMax` (default 0.001, 0.1): softplus(dt_proj.bias) is drawn log-uniform in [dtMin, dtMax],
///   floored at `dtFloor` (default 1e−4).
/// - `seed`: fixes every drawn parameter bit for bit (default 0).
public struct MambaConfiguration: Codable, Sendable, Equatable {
    public var modelWidth: Int
    public var stateSize: Int
    public var convolutionWidth: Int
    public var expand: Int
    public var dtRank: Int?
    public var dtMin: Double
    public var dtMax: Double
    public var dtFloor: Double
    public var seed: UInt64

    public init(
        modelWidth: Int, stateSize: Int = 16, convolutionWidth: Int = 4, expand: Int = 2, dtRank: Int? = nil,
        dtMin: Double = 0.001, dtMax: Double = 0.1, dtFloor: Double = 1e-4, seed: UInt64 = 0
    ) {
        self.modelWidth = modelWidth
        self.stateSize = stateSize
        self.convolutionWidth = convolutionWidth
        self.expand = expand
        self.dtRank = dtRank
        self.dtMin = dtMin
        self.dtMax = dtMax
        self.dtFloor = dtFloor
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            modelWidth: try c.decode(Int.self, forKey: .modelWidth),
            stateSize: try c.decodeIfPresent(Int.self, forKey: .stateSize) ?? 16,
            convolutionWidth: try c.decodeIfPresent(Int.self, forKey: .convolutionWidth) ?? 4,
            expand: try c.decodeIfPresent(Int.self, forKey: .expand) ?? 2,
            dtRank: try c.decodeIfPresent(Int.self, forKey: .dtRank),
            dtMin: try c.decodeIfPresent(Double.self, forKey: .dtMin) ?? 0.001,
            dtMax: try c.decodeIfPresent(Double.self, forKey: .dtMax) ?? 0.1,
            dtFloor: try c.decodeIfPresent(Double.self, forKey: .dtFloor) ?? 1e-4,
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0)
    }

    /// d_inner = expand·m: the channels of the convolution and the scan.
    public var innerWidth: Int { expand * modelWidth }
    /// The δ projection's rank: `dtRank`, or ⌈m/16⌉.
    public var rank: Int { dtRank ?? (modelWidth + 15) / 16 }
    /// Columns of x_proj's output: δ (rank), B and C (d_state each).
    var projectedWidth: Int { rank + 2 * stateSize }

    /// Checks every field; throws `MixerError.invalidParameter` with a one-line message.
    public func validate() throws {
        for (name, value) in [("modelWidth", modelWidth), ("stateSize", stateSize),
                              ("convolutionWidth", convolutionWidth), ("expand", expand), ("dtRank", rank)]
        where value < 1 {
            throw MixerError.invalidParameter("Mamba \(name) must be at least 1, got \(value)")
        }
        guard dtMin > 0, dtMin <= dtMax, dtMax.isFinite else {
            throw MixerError.invalidParameter("Mamba needs 0 < dtMin ≤ dtMax < ∞, got dtMin \(dtMin), dtMax \(dtMax)")
        }
        guard dtFloor > 0, dtFloor.isFinite else {
            throw MixerError.invalidParameter("Mamba dtFloor must be a positive finite number, got \(dtFloor)")
        }
    }
}
