import Attention

/// The token mixer of every block. Today: exact softmax attention, whole or within a causal window.
/// A mixer from the `Mixers` target plugs in as one more case here and one more line in `makeLayer`.
///
/// JSON: `"exact"` or `{"window": 16}`.
public enum MixerChoice: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Exact multi-head softmax attention (causal when the model is).
    case exact
    /// Exact attention where query i sees keys i − w < j ≤ i (always causal).
    case window(Int)

    /// Parses `exact` or `window:W`.
    public init?(argument: String) {
        if argument == "exact" {
            self = .exact
        } else if argument.hasPrefix("window:"), let w = Int(argument.dropFirst(7)), w > 0 {
            self = .window(w)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .exact: return "exact"
        case .window(let w): return "window:\(w)"
        }
    }

    /// The mixer layer of one block, registering its parameters under `name`.
    func makeLayer(_ name: String, model: ModelDescription, batch: Int, parameters: ParameterStore) -> any SequenceLayer {
        let length = model.sequenceLength
        switch self {
        case .exact:
            return AttentionLayer(name, width: model.width, heads: model.heads, headDimension: model.headDimension,
                                  length: length, mask: model.causal ? .causal : .none, batch: batch, parameters: parameters)
        case .window(let w):
            return AttentionLayer(name, width: model.width, heads: model.heads, headDimension: model.headDimension,
                                  length: length, mask: .slidingWindow(w), batch: batch, parameters: parameters)
        }
    }

    public init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self), text == "exact" {
            self = .exact
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = .window(try container.decode(Int.self, forKey: .window))
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .exact:
            var container = encoder.singleValueContainer()
            try container.encode("exact")
        case .window(let w):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(w, forKey: .window)
        }
    }

    private enum CodingKeys: String, CodingKey { case window }
}
