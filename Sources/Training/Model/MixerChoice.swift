import Kernels
import Mixers

/// The token mixer of every block: exact softmax attention (whole or within a causal window), one of the
/// sub-quadratic token mixers of the `Mixers` target behind the same Q/K/V/O projections, or a Mamba block.
///
/// Command line: `NAME[:P]` (`description`), P the mixer's one size: `window:W` (required), `performer:R`
/// random features (default 64), `polynomial:G` degree (default 2), `linformer:K` projected length
/// (default 32; E and F are learned), `nystrom:M` landmarks (default 8, must divide N), `mamba:S` state
/// size per channel (default 16). `exact`, `linear`, `based`, `gla`, `retnet` take none.
/// JSON: the bare name (`"exact"`, `"gla"`) or `{"NAME": P}` (`{"window": 16}`, `{"mamba": 16}`).
public enum MixerChoice: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Exact multi-head softmax attention (causal when the model is).
    case exact
    /// Exact attention where query i sees keys i − w < j ≤ i (always causal).
    case window(Int)
    /// Linear attention with the elu + 1 feature map (Katharopoulos et al.).
    case linear
    /// Based: the second-order Taylor expansion of exp(q·k).
    case based
    /// Gated linear attention (causal only).
    case gla
    /// Retention with fixed per-head decays (causal only).
    case retnet
    /// Performer's positive random features (drawn once per layer from the layer index).
    case performer(features: Int)
    /// Alman–Song: a degree-G polynomial of exp, expanded into explicit features.
    case polynomial(degree: Int)
    /// Linformer with learned projections E, F `[K, N]` (non-causal only).
    case linformer(projected: Int)
    /// Nyström attention with M segment-mean landmarks (non-causal only).
    case nystrom(landmarks: Int)
    /// A Mamba block with state size S per channel (causal only), in place of projections and mixer.
    case mamba(stateSize: Int)

    /// Every accepted name, for messages.
    public static let names = "exact, window:W, linear, based, gla, retnet, performer[:R], polynomial[:G], linformer[:K], nystrom[:M], mamba[:S]"

    /// The largest accepted size parameter (features, degree, projected length, landmarks, state size).
    public static let largestParameter = 4096

    /// The choice `name` with size `parameter` (nil: the default); nil for an unknown name, a size given to
    /// a mixer without one, or a missing window width.
    public init?(name: String, parameter: Int?) {
        switch (name, parameter) {
        case ("exact", nil): self = .exact
        case ("linear", nil): self = .linear
        case ("based", nil): self = .based
        case ("gla", nil): self = .gla
        case ("retnet", nil): self = .retnet
        case ("window", let w?): self = .window(w)
        case ("performer", let r): self = .performer(features: r ?? 64)
        case ("polynomial", let g): self = .polynomial(degree: g ?? 2)
        case ("linformer", let k): self = .linformer(projected: k ?? 32)
        case ("nystrom", let m): self = .nystrom(landmarks: m ?? 8)
        case ("mamba", let s): self = .mamba(stateSize: s ?? 16)
        default: return nil
        }
    }

    /// Parses `NAME` or `NAME:P` (P a whole number; its range is checked by `ModelDescription.validate`).
    public init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard let value = Int(parts[1]) else { return nil }
            self.init(name: String(parts[0]), parameter: value)
        } else {
            self.init(name: argument, parameter: nil)
        }
    }

    /// The name without the size.
    public var name: String {
        switch self {
        case .exact: return "exact"
        case .window: return "window"
        case .linear: return "linear"
        case .based: return "based"
        case .gla: return "gla"
        case .retnet: return "retnet"
        case .performer: return "performer"
        case .polynomial: return "polynomial"
        case .linformer: return "linformer"
        case .nystrom: return "nystrom"
        case .mamba: return "mamba"
        }
    }

    /// The size parameter, for the mixers that have one.
    public var parameter: Int? {
        switch self {
        case .exact, .linear, .based, .gla, .retnet: return nil
        case .window(let p), .performer(let p), .polynomial(let p), .linformer(let p), .nystrom(let p), .mamba(let p): return p
        }
    }

    public var description: String { parameter.map { "\(name):\($0)" } ?? name }

    /// Whether the mixer can run causally (each token sees only the past) and non-causally.
    var allowsCausal: Bool { tokenMixerKind?.allowsCausal ?? true }
    var allowsNonCausal: Bool {
        switch self {
        case .window: return true
        case .mamba: return false
        default: return tokenMixerKind?.allowsNonCausal ?? true
        }
    }

    /// The `Mixers` kind behind the Q/K/V/O projections; nil for exact attention, the window and Mamba,
    /// which have layers of their own.
    var tokenMixerKind: MixerKind? {
        switch self {
        case .exact, .window, .mamba: return nil
        case .linear: return .linear
        case .based: return .based
        case .gla: return .gla
        case .retnet: return .retnet
        case .performer: return .performer
        case .polynomial: return .polynomial
        case .linformer: return .linformer
        case .nystrom: return .nystrom
        }
    }

    /// The mixer layer of block `layer`, registering its parameters under `name`.
    func makeLayer(_ name: String, layer: Int, model: ModelDescription, batch: Int, parameters: ParameterStore)
        -> any SequenceLayer
    {
        let length = model.sequenceLength
        switch self {
        case .exact:
            return AttentionLayer(name, width: model.width, heads: model.heads, headDimension: model.headDimension,
                                  length: length, mask: model.causal ? .causal : .none, batch: batch, parameters: parameters)
        case .window(let w):
            return AttentionLayer(name, width: model.width, heads: model.heads, headDimension: model.headDimension,
                                  length: length, mask: .slidingWindow(w), batch: batch, parameters: parameters)
        case .mamba(let s):
            return MambaLayer(name, configuration: MambaConfiguration(modelWidth: model.width, stateSize: s, seed: UInt64(layer)),
                              length: length, batch: batch, parameters: parameters)
        default:
            return TokenMixerLayer(name, mixer: mixerDescription(layer: layer, model: model), width: model.width,
                                   heads: model.heads, headDimension: model.headDimension, length: length, batch: batch,
                                   parameters: parameters)
        }
    }

    /// The `Mixers` description of a token mixer (nil for exact attention, the window and Mamba).
    /// The polynomial gets a fixed entry bound B = (s·D)^{−1/2}, so P approximates exp on scores in
    /// [−1, 1] whatever the activations: a bound read from each batch would make the model a
    /// non-smooth function of its inputs, with gradients that leave out how B moves.
    func mixerDescription(layer: Int, model: ModelDescription) -> MixerDescription {
        guard let kind = tokenMixerKind else { preconditionFailure("\(self) has no token-mixer description") }
        var description = MixerDescription(kind: kind, seed: UInt64(layer), causal: model.causal)
        switch self {
        case .performer(let r): description.features = r
        case .polynomial(let g):
            description.degree = g
            description.bound = 1 / Float(model.headDimension).squareRoot().squareRoot()  // s = 1/√D: s·D·B² = 1
        case .linformer(let k): description.features = k
        case .nystrom(let m): description.landmarks = m
        default: break
        }
        return description
    }

    /// Throws `TrainingError.invalidOption` when the size is out of range or the mixer does not fit the
    /// model: its masking, Nyström landmarks that do not divide N, a polynomial feature map too wide. A token
    /// mixer is checked by one forward pass on zeros `[1, 1, N, d]` (O(N·d) to O(N·d²) work, once per model).
    func validate(for model: ModelDescription) throws {
        if let p = parameter {
            let largest = self == .window(p) ? MixerDescription.largestWindow : Self.largestParameter
            guard (1...largest).contains(p) else {
                throw TrainingError.invalidOption("mixer \(name) size must be in 1…\(largest), got \(p)")
            }
        }
        if model.causal && !allowsCausal {
            throw TrainingError.invalidOption(
                "mixer \(name) is not causal (it mixes the whole sequence at once) but this task's model is: use a causal mixer")
        }
        if !model.causal && !allowsNonCausal {
            throw TrainingError.invalidOption(
                "mixer \(name) is causal only but this task's model is not (it reads a class token): use another mixer")
        }
        if case .nystrom(let m) = self, model.sequenceLength % m != 0 {
            throw TrainingError.invalidOption(
                "nystrom landmarks \(m) must divide the sequence length \(model.sequenceLength); pass nystrom:M")
        }
        guard tokenMixerKind != nil else { return }
        do {
            let zeros = Tensor<Float>(zeros: [1, 1, model.sequenceLength, model.headDimension])
            _ = try mixerDescription(layer: 0, model: model).makeMixer().forward(queries: zeros, keys: zeros, values: zeros)
        } catch let error as MixerError {
            throw TrainingError.invalidOption("mixer \(description): \(error)")
        }
    }

    public init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let choice = MixerChoice(name: text, parameter: nil) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown mixer \(text)"))
            }
            self = choice
            return
        }
        let fields = try decoder.singleValueContainer().decode([String: Int].self)
        guard fields.count == 1, let (name, value) = fields.first, let choice = MixerChoice(name: name, parameter: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown mixer \(fields)"))
        }
        self = choice
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let parameter {
            try container.encode([name: parameter])
        } else {
            try container.encode(name)
        }
    }
}
