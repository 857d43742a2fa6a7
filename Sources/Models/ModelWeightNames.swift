/// The safetensors names of both models' weights.
///
/// All weights multiply row vectors from the right (`y = x·W`), so a weight `[a, b]` maps width a to b.
/// Files written by `save(to:overwrite:)` hold float32 tensors; `load(from:)` accepts any floating-point
/// dtype (F16, BF16, F32, F64) and converts to float32. Legend: m embedding, k query/key width (paper),
/// f MLP hidden width, l layer index, h head index (both from 0).
///
/// Paper model (`PaperTransformer`), metadata `{"model": "paper", "layers": L, "heads": H,
/// "activation": "geluTanh"|"geluErf"|"silu"}` (activation only when some layer has an MLP):
///
/// | tensor                     | shape  | role                                   |
/// |----------------------------|--------|----------------------------------------|
/// | `layers.{l}.heads.{h}.w_q` | [m, k] | query projection of head h             |
/// | `layers.{l}.heads.{h}.w_k` | [m, k] | key projection of head h               |
/// | `layers.{l}.heads.{h}.w_v` | [m, m] | value projection of head h             |
/// | `layers.{l}.mlp.w1`        | [m, f] | MLP input weight (optional, per layer) |
/// | `layers.{l}.mlp.b1`        | [f]    | MLP hidden bias                        |
/// | `layers.{l}.mlp.w2`        | [f, m] | MLP output weight                      |
/// | `layers.{l}.mlp.b2`        | [m]    | MLP output bias                        |
///
/// Standard pre-norm model (`StandardTransformer`), metadata `{"model": "standard", "layers": L,
/// "heads": H, "norm": "layernorm"|"rmsnorm", "activation": …, "causal": "true"|"false",
/// "epsilon": "1e-05"}`:
///
/// | tensor                          | shape  | role                                         |
/// |---------------------------------|--------|----------------------------------------------|
/// | `layers.{l}.norm1.weight`       | [m]    | pre-attention norm gain γ                    |
/// | `layers.{l}.norm1.bias`         | [m]    | pre-attention norm shift β (LayerNorm only)  |
/// | `layers.{l}.attention.w_q`      | [m, m] | queries of all heads (head h: columns h·d…)  |
/// | `layers.{l}.attention.w_k`      | [m, m] | keys of all heads                            |
/// | `layers.{l}.attention.w_v`      | [m, m] | values of all heads                          |
/// | `layers.{l}.attention.w_o`      | [m, m] | output projection of the concatenated heads  |
/// | `layers.{l}.norm2.weight`       | [m]    | pre-MLP norm gain                            |
/// | `layers.{l}.norm2.bias`         | [m]    | pre-MLP norm shift (LayerNorm only)          |
/// | `layers.{l}.mlp.w1`, `.b1`      | [m, f], [f] | MLP input weight and bias               |
/// | `layers.{l}.mlp.w2`, `.b2`      | [f, m], [m] | MLP output weight and bias              |
/// | `final_norm.weight`, `.bias`    | [m]    | norm after the last layer (optional)         |
///
/// d = m/H is the head dimension of the standard model.
public enum ModelWeightNames {
    public static func paperQuery(layer: Int, head: Int) -> String { "layers.\(layer).heads.\(head).w_q" }
    public static func paperKey(layer: Int, head: Int) -> String { "layers.\(layer).heads.\(head).w_k" }
    public static func paperValue(layer: Int, head: Int) -> String { "layers.\(layer).heads.\(head).w_v" }

    /// `layers.{l}.attention.{part}` for part `w_q`, `w_k`, `w_v` or `w_o`.
    public static func attention(layer: Int, _ part: String) -> String { "layers.\(layer).attention.\(part)" }
    /// `layers.{l}.mlp.{part}` for part `w1`, `b1`, `w2` or `b2`.
    public static func mlp(layer: Int, _ part: String) -> String { "layers.\(layer).mlp.\(part)" }
    /// `{prefix}.weight` or `{prefix}.bias` of a norm, prefix `layers.{l}.norm1`, `layers.{l}.norm2` or
    /// `final_norm`.
    public static func norm(_ prefix: String, bias: Bool) -> String { prefix + (bias ? ".bias" : ".weight") }
    public static func norm1Prefix(layer: Int) -> String { "layers.\(layer).norm1" }
    public static func norm2Prefix(layer: Int) -> String { "layers.\(layer).norm2" }
    public static let finalNormPrefix = "final_norm"
}
