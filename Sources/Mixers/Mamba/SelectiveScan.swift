import Kernels

/// The selective scan S6 of the Mamba block with its gate (`selective_scan_ref` with D and z), per
/// sequence b and channel c, state h ∈ R^S starting at 0:
///
///     h_t = exp(δ_t·A_c) ⊙ h_{t−1} + δ_t·u_t·B_t,   y_t = ⟨h_t, C_t⟩ + D_c·u_t,   out_t = y_t·silu(z_t)
///
/// with δ, u, z per (token, channel) and B_t, C_t ∈ R^S per token, shared by the channels. Token-major
/// `[B·N, E]` matrices; B and C are columns R..<R+S and R+S..<R+2S of x_proj's output `[B·N, R + 2S]`.
/// Vectorised over channels (a `FloatVector` of channels steps through time together, the state of a
/// block is S registers), parallel over batch × channel blocks. Time linear in N: per token and channel
/// S exponentials and ≈ 6·S FLOPs; state E·S floats per sequence.
struct SelectiveScan {
    let batch: Int
    let length: Int
    /// E.
    let channels: Int
    /// S.
    let states: Int
    /// R: B starts at this column of `projected`.
    let rank: Int
    /// `[B·N, E]`.
    let u: UnsafePointer<Float>
    /// `[B·N, E]`, δ after the softplus.
    let delta: UnsafePointer<Float>
    /// `[B·N, R + 2S]`: δ_low | B | C.
    let projected: UnsafePointer<Float>
    /// z: `[B·N, E]` with row stride 2E (the second half of in_proj's output).
    let z: UnsafePointer<Float>
    /// A transposed, `[S, E]`.
    let aByState: UnsafePointer<Float>
    /// D `[E]`.
    let skip: UnsafePointer<Float>

    var blocks: ChannelBlocks { ChannelBlocks(channels: channels) }
    var projectedWidth: Int { rank + 2 * states }

    /// Writes y `[B·N, E]` (before the gate) and out = y·silu(z) `[B·N, E]`.
    func forward(y: UnsafeMutablePointer<Float>, gated: UnsafeMutablePointer<Float>) {
        let blocks = blocks
        parallelFor(batch * blocks.count) { item in
            let (b, block) = (item / blocks.count, item % blocks.count)
            let (c0, lanes) = (blocks.start(block), blocks.width(block))
            withUnsafeTemporaryAllocation(of: FloatVector.self, capacity: 2 * states) { scratch in
                let (a, h) = (scratch.baseAddress!, scratch.baseAddress! + states)
                for s in 0..<states {
                    a[s] = loadChannels(aByState + s * channels + c0, lanes)
                    h[s] = FloatVector()
                }
                let d = loadChannels(skip + c0, lanes)
                for t in 0..<length {
                    let row = b * length + t
                    let (dt, input) = (loadChannels(delta + row * channels + c0, lanes), loadChannels(u + row * channels + c0, lanes))
                    let dtu = dt * input
                    let bc = projected + row * projectedWidth + rank
                    var out = d * input
                    for s in 0..<states {
                        let state = multiplyAdd(vectorExp(dt * a[s]), h[s], dtu * FloatVector(repeating: bc[s]))
                        h[s] = state
                        out = multiplyAdd(state, FloatVector(repeating: bc[states + s]), out)
                    }
                    storeChannels(out, y + row * channels + c0, lanes)
                    let gate = vectorSiLU(loadChannels(z + row * 2 * channels + c0, lanes))
                    storeChannels(out * gate, gated + row * channels + c0, lanes)
                }
            }
        }
    }
}
