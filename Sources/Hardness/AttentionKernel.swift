import Kernels

/// The softmax(Q·Kᵀ)·V step of a construction, replaceable: queries, keys, values `[1, N, D]` (one head;
/// scores are not rescaled, the construction's weights carry every scale) → output `[1, N, D]`. The
/// constructions use exact attention (`scaledDotProductAttention`, scale 1) unless given another one, which
/// is how an experiment puts a sub-quadratic mixer in its place with the same tokens, weights and readout.
public typealias AttentionKernel = (_ queries: Tensor<Float>, _ keys: Tensor<Float>, _ values: Tensor<Float>) throws -> Tensor<Float>
