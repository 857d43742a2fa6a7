import Kernels

/// The causal depthwise convolution of the Mamba block followed by SiLU, channel by channel:
///
///     pre[t, c] = bias[c] + Σ_{j<K} w[c, j]·x[t − K + 1 + j, c]   (x before t = 0 is 0),   u = silu(pre)
///
/// as `nn.Conv1d(E, E, K, groups: E, padding: K − 1)` truncated to the first N outputs. Token-major
/// matrices `[B·N, E]` (x with row stride `xStride`, since it is the first half of in_proj's output).
/// Cost 2K + ~40 FLOPs per element forward, 4K + ~50 backward; parallel over channel blocks.
struct CausalConvolution {
    let batch: Int
    let length: Int
    let channels: Int
    /// K.
    let width: Int
    /// `[E, K]`.
    let weight: UnsafePointer<Float>
    /// `[E]`.
    let bias: UnsafePointer<Float>

    var blocks: ChannelBlocks { ChannelBlocks(channels: channels) }

    /// Writes `pre` and `u = silu(pre)`, both `[B·N, E]`.
    func forward(x: UnsafePointer<Float>, xStride: Int, pre: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>) {
        let blocks = blocks
        parallelFor(batch * blocks.count) { item in
            let (b, block) = (item / blocks.count, item % blocks.count)
            let (c0, lanes) = (blocks.start(block), blocks.width(block))
            withUnsafeTemporaryAllocation(of: FloatVector.self, capacity: width) { taps in
                for j in 0..<width { taps[j] = gatherChannels(weight + c0 * width + j, stride: width, lanes) }
                let biasVector = loadChannels(bias + c0, lanes)
                for t in 0..<length {
                    var sum = biasVector
                    for j in max(0, width - 1 - t)..<width {
                        let source = (b * length + t - width + 1 + j) * xStride + c0
                        sum = multiplyAdd(taps[j], loadChannels(x + source, lanes), sum)
                    }
                    let row = (b * length + t) * channels + c0
                    storeChannels(sum, pre + row, lanes)
                    storeChannels(vectorSiLU(sum), u + row, lanes)
                }
            }
        }
    }

    /// Given ∂L/∂u in `gradU` `[B·N, E]` (overwritten with ∂L/∂pre), writes ∂L/∂x `[B·N, E]` (row stride
    /// `gradXStride`) and ∂L/∂w `[E, K]`, ∂L/∂bias `[E]` (summed over the batch).
    func backward(
        gradU: UnsafeMutablePointer<Float>, pre: UnsafePointer<Float>, x: UnsafePointer<Float>, xStride: Int,
        gradX: UnsafeMutablePointer<Float>, gradXStride: Int, gradWeight: UnsafeMutablePointer<Float>,
        gradBias: UnsafeMutablePointer<Float>
    ) {
        let blocks = blocks
        parallelFor(blocks.count) { block in
            let (c0, lanes) = (blocks.start(block), blocks.width(block))
            withUnsafeTemporaryAllocation(of: FloatVector.self, capacity: 2 * width) { scratch in
                let (taps, tapGrads) = (scratch.baseAddress!, scratch.baseAddress! + width)
                for j in 0..<width {
                    taps[j] = gatherChannels(weight + c0 * width + j, stride: width, lanes)
                    tapGrads[j] = FloatVector()
                }
                var biasGrad = FloatVector()
                for b in 0..<batch {
                    for t in 0..<length {
                        let row = (b * length + t) * channels + c0
                        let g = loadChannels(gradU + row, lanes) * vectorSiLUDerivative(loadChannels(pre + row, lanes))
                        storeChannels(g, gradU + row, lanes)
                        biasGrad += g
                        for j in max(0, width - 1 - t)..<width {
                            let source = (b * length + t - width + 1 + j) * xStride + c0
                            tapGrads[j] = multiplyAdd(g, loadChannels(x + source, lanes), tapGrads[j])
                        }
                    }
                    // ∂L/∂x[τ] = Σ_j w[j]·∂L/∂pre[τ + K − 1 − j] over the outputs that read x[τ].
                    for tau in 0..<length {
                        var sum = FloatVector()
                        for j in 0..<width where tau + width - 1 - j < length {
                            sum = multiplyAdd(taps[j], loadChannels(gradU + (b * length + tau + width - 1 - j) * channels + c0, lanes), sum)
                        }
                        storeChannels(sum, gradX + (b * length + tau) * gradXStride + c0, lanes)
                    }
                }
                for j in 0..<width { scatterAddChannels(tapGrads[j], gradWeight + c0 * width + j, stride: width, lanes) }
                storeChannels(biasGrad, gradBias + c0, lanes)
            }
        }
    }
}
