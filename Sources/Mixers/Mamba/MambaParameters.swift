import Foundation
import Kernels

/// The learnable tensors of a Mamba block, named as in `mamba_simple.py` (m model width, E = d_inner,
/// S = d_state, R = dt_rank, K = d_conv). Weights are stored `[out, in]` like `nn.Linear`.
public enum MambaParameter: String, CaseIterable, Codable, Sendable {
    /// `[2E, m]`: x (rows 0..<E) and z (rows E..<2E) from the input.
    case inProjection = "in_proj.weight"
    /// `[E, K]`: the causal depthwise convolution (PyTorch's `[E, 1, K]` without the 1).
    case convolutionWeight = "conv1d.weight"
    /// `[E]`.
    case convolutionBias = "conv1d.bias"
    /// `[R + 2S, E]`: δ (rows 0..<R), B (R..<R+S), C (R+S..<R+2S) from the convolved channels.
    case xProjection = "x_proj.weight"
    /// `[E, R]`.
    case dtProjection = "dt_proj.weight"
    /// `[E]`: δ = softplus(dt_proj(δ_low) + bias).
    case dtBias = "dt_proj.bias"
    /// `[E, S]`: A = −exp(A_log).
    case aLog = "A_log"
    /// `[E]`: the skip y += D·u.
    case skip = "D"
    /// `[m, E]`.
    case outProjection = "out_proj.weight"

    /// The tensor's shape for `c`.
    public func shape(_ c: MambaConfiguration) -> [Int] {
        let (m, e, s, r, k) = (c.modelWidth, c.innerWidth, c.stateSize, c.rank, c.convolutionWidth)
        switch self {
        case .inProjection: return [2 * e, m]
        case .convolutionWeight: return [e, k]
        case .convolutionBias, .dtBias, .skip: return [e]
        case .xProjection: return [r + 2 * s, e]
        case .dtProjection: return [e, r]
        case .aLog: return [e, s]
        case .outProjection: return [m, e]
        }
    }
}

/// Where each parameter sits in the flat parameter vector: the `MambaParameter` cases in order.
struct MambaLayout: Sendable {
    let offsets: [MambaParameter: Int]
    let count: Int

    init(_ c: MambaConfiguration) {
        var offsets: [MambaParameter: Int] = [:]
        var next = 0
        for p in MambaParameter.allCases {
            offsets[p] = next
            next += p.shape(c).reduce(1, *)
        }
        self.offsets = offsets
        count = next
    }

    func range(_ p: MambaParameter, _ c: MambaConfiguration) -> Range<Int> {
        offsets[p]! ..< offsets[p]! + p.shape(c).reduce(1, *)
    }
}

/// All parameters of one Mamba block in one flat vector (`values`, the `MambaParameter` cases in order),
/// readable and writable by name. One vector is one borrow for the kernels and one step for an optimiser.
public struct MambaParameters: Sendable, Equatable {
    public let configuration: MambaConfiguration
    /// `[P]`, P = Σ parameter sizes.
    public private(set) var values: Tensor<Float>
    let layout: MambaLayout

    /// The initialisation of `mamba_simple.py`, drawn from one stream of `configuration.seed` in
    /// `MambaParameter` order: projections and the convolution U(±1/√fan_in) (`nn.Linear`/`nn.Conv1d`
    /// defaults; fan_in = K for the depthwise convolution), dt_proj U(±R^{−1/2}), dt_proj.bias the inverse
    /// softplus of δ = exp(U(ln dtMin, ln dtMax)) floored at dtFloor, A_log = ln(1…S) per channel
    /// (S4D-real, A = −(1…S)), D = 1. Throws `MixerError` for an invalid configuration.
    public init(_ configuration: MambaConfiguration) throws {
        try configuration.validate()
        let c = configuration
        var generator = SeededGenerator(seed: c.seed)
        var drawn: [Float] = []
        drawn.reserveCapacity(MambaLayout(c).count)
        func uniform(_ count: Int, bound: Double) {
            for _ in 0..<count { drawn.append(Float((2 * generator.nextUnit() - 1) * bound)) }
        }
        let (m, e, s, r, k) = (c.modelWidth, c.innerWidth, c.stateSize, c.rank, c.convolutionWidth)
        uniform(2 * e * m, bound: 1 / Double(m).squareRoot())
        uniform(e * k, bound: 1 / Double(k).squareRoot())
        uniform(e, bound: 1 / Double(k).squareRoot())
        uniform((r + 2 * s) * e, bound: 1 / Double(e).squareRoot())
        uniform(e * r, bound: 1 / Double(r).squareRoot())
        for _ in 0..<e {
            let logDt = generator.nextUnit() * (log(c.dtMax) - log(c.dtMin)) + log(c.dtMin)
            let dt = max(exp(logDt), c.dtFloor)
            drawn.append(Float(dt + log(-expm1(-dt))))
        }
        for _ in 0..<e { for n in 1...s { drawn.append(Float(log(Double(n)))) } }
        drawn += [Float](repeating: 1, count: e)
        uniform(m * e, bound: 1 / Double(e).squareRoot())
        try self.init(configuration, values: Tensor(shape: [drawn.count], elements: drawn))
    }

    /// Given parameters: `values` `[P]` in the layout above (e.g. a trained checkpoint's).
    public init(_ configuration: MambaConfiguration, values: Tensor<Float>) throws {
        try configuration.validate()
        let layout = MambaLayout(configuration)
        guard values.shape == [layout.count] else {
            throw MixerError.mismatch("Mamba parameters have shape \(values.shape); expected [\(layout.count)] for \(configuration)")
        }
        self.configuration = configuration
        self.values = values
        self.layout = layout
    }

    /// One parameter, shaped as `MambaParameter.shape` says (a view: O(1) to read).
    public subscript(_ p: MambaParameter) -> Tensor<Float> {
        get { values.rows(layout.range(p, configuration)).reshaped(p.shape(configuration)) }
        set {
            precondition(newValue.shape == p.shape(configuration), "\(p.rawValue) must have shape \(p.shape(configuration))")
            let start = layout.offsets[p]!
            newValue.withUnsafeBufferPointer { source in
                values.withUnsafeMutableBufferPointer { target in
                    for i in source.indices { target[start + i] = source[i] }
                }
            }
        }
    }

    /// Each parameter by its `mamba_simple.py` name, from a flat vector in this layout.
    func named(_ flat: Tensor<Float>) -> [String: Tensor<Float>] {
        Dictionary(uniqueKeysWithValues: MambaParameter.allCases.map {
            ($0.rawValue, flat.rows(layout.range($0, configuration)).reshaped($0.shape(configuration)))
        })
    }

    public static func == (lhs: MambaParameters, rhs: MambaParameters) -> Bool {
        lhs.configuration == rhs.configuration && lhs.values == rhs.values
    }
}
