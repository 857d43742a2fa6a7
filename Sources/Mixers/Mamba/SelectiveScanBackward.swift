import Kernels

/// Where `SelectiveScan.backward` writes. Every pointer is written, not accumulated into.
struct SelectiveScanGradients {
    /// ∂L/∂u `[B·N, E]`: the scan's share (δ·B·∂h and D·∂y); x_proj's is added later.
    let u: UnsafeMutablePointer<Float>
    /// ∂L/∂(δ before the softplus) `[B·N, E]`: ∂L/∂δ·σ(pre).
    let preDelta: UnsafeMutablePointer<Float>
    /// ∂L/∂z `[B·N, E]` with row stride 2E.
    let z: UnsafeMutablePointer<Float>
    /// `[B·N, R + 2S]`: columns R..<R+2S get ∂L/∂B, ∂L/∂C (columns 0..<R untouched).
    let projected: UnsafeMutablePointer<Float>
    /// ∂L/∂A_log `[E, S]` (= ∂L/∂A·A), summed over the batch.
    let aLog: UnsafeMutablePointer<Float>
    /// ∂L/∂D `[E]`, summed over the batch.
    let skip: UnsafeMutablePointer<Float>
    /// ∂L/∂dt_proj.bias `[E]`, summed over the batch.
    let bias: UnsafeMutablePointer<Float>
}

extension SelectiveScan {
    /// The scan's backward pass: the recurrence run in reverse. With ∂h carried from t + 1 as
    /// exp(δ_{t+1}A)⊙∂h_{t+1} and g_t = ∂L/∂y_t = ∂L/∂out_t·silu(z_t):
    ///
    ///     ∂h_t = g_t·C_t + exp(δ_{t+1}A)⊙∂h_{t+1}
    ///     ∂C_t += Σ_c g_t·h_t,   ∂B_t += Σ_c ∂h_t·δ_t·u_t,   ∂u_t = D·g_t + Σ_s ∂h_t·δ_t·B_t
    ///     ∂δ_t = Σ_s ∂h_t·(h_{t−1}·exp(δ_t A)·A + B_t·u_t),   ∂A += Σ_t ∂h_t·h_{t−1}·exp(δ_t A)·δ_t
    ///
    /// The states are recomputed, never stored by the forward pass: per work item a first sweep keeps the
    /// state entering each chunk of `chunkLength` tokens; then, chunk by chunk from the last, the chunk's
    /// states and decays are recomputed into per-worker scratch (2·64·S vectors, cache-resident) and the
    /// reverse sweep runs over them. ∂B, ∂C are summed over channel blocks through per-worker
    /// accumulators, with a fixed item-to-worker assignment so the sums are the same bits on every run. Cost ≈ 2 exponentials and ≈ 18 FLOPs per token, channel and state.
    func backward(gradGated: UnsafePointer<Float>, y: UnsafePointer<Float>, preDelta: UnsafePointer<Float>,
                  into gradients: SelectiveScanGradients) {
        let blocks = blocks
        let items = batch * blocks.count
        let workers = max(1, min(items, Parallelism.defaultThreads))
        let chunk = Self.chunkLength
        let chunks = (length + chunk - 1) / chunk
        let scratchVectors = (chunks + 2 * chunk) * states
        let scratch = TensorStorage<Float>(count: workers * scratchVectors * channelLanes)
        let gradBC = TensorStorage<Float>(count: workers * batch * length * 2 * states)
        // Per sequence b: ∂A [E, S], ∂D [E], ∂bias [E], summed over b at the end.
        let perSequence = TensorStorage<Float>(count: batch * channels * (states + 2))
        parallelForFixedWorkers(items, threads: workers) { item, worker in
            let (b, block) = (item / blocks.count, item % blocks.count)
            let (c0, lanes) = (blocks.start(block), blocks.width(block))
            let entering = UnsafeMutableRawPointer(scratch.pointer + worker * scratchVectors * channelLanes)
                .bindMemory(to: FloatVector.self, capacity: scratchVectors)
            let (h, decays) = (entering + chunks * states, entering + (chunks + chunk) * states)
            let dBC = gradBC.pointer + worker * batch * length * 2 * states
            withUnsafeTemporaryAllocation(of: FloatVector.self, capacity: 3 * states) { registers in
                let (a, dh, dA) = (registers.baseAddress!, registers.baseAddress! + states, registers.baseAddress! + 2 * states)
                for s in 0..<states {
                    a[s] = loadChannels(aByState + s * channels + c0, lanes)
                    dh[s] = FloatVector()
                    dA[s] = FloatVector()
                }
                // The state entering each chunk (dh serves as the running state here).
                for t in 0..<length {
                    if t % chunk == 0 { (entering + t / chunk * states).update(from: dh, count: states) }
                    let row = b * length + t
                    let dt = loadChannels(delta + row * channels + c0, lanes)
                    let dtu = dt * loadChannels(u + row * channels + c0, lanes)
                    let bc = projected + row * projectedWidth + rank
                    for s in 0..<states {
                        dh[s] = multiplyAdd(vectorExp(dt * a[s]), dh[s], dtu * FloatVector(repeating: bc[s]))
                    }
                }
                for s in 0..<states { dh[s] = FloatVector() }
                let d = loadChannels(skip + c0, lanes)
                var (dD, dBias) = (FloatVector(), FloatVector())
                for c in stride(from: chunks - 1, through: 0, by: -1) {
                    let (first, end) = (c * chunk, min(length, (c + 1) * chunk))
                    let start = entering + c * states
                    // The chunk's states h and decays exp(δA), local index t − first.
                    for t in first..<end {
                        let (row, i) = (b * length + t, (t - first) * states)
                        let dt = loadChannels(delta + row * channels + c0, lanes)
                        let dtu = dt * loadChannels(u + row * channels + c0, lanes)
                        let bc = projected + row * projectedWidth + rank
                        let previous = t == first ? start : h + i - states
                        for s in 0..<states {
                            let decay = vectorExp(dt * a[s])
                            decays[i + s] = decay
                            h[i + s] = multiplyAdd(decay, previous[s], dtu * FloatVector(repeating: bc[s]))
                        }
                    }
                    for t in stride(from: end - 1, through: first, by: -1) {
                        let (row, i) = (b * length + t, (t - first) * states)
                        let (e, zRow) = (row * channels + c0, row * 2 * channels + c0)
                        let (dt, input, zt) = (loadChannels(delta + e, lanes), loadChannels(u + e, lanes), loadChannels(z + zRow, lanes))
                        let gradOut = loadChannels(gradGated + e, lanes)
                        let g = gradOut * vectorSiLU(zt)
                        storeChannels(gradOut * loadChannels(y + e, lanes) * vectorSiLUDerivative(zt), gradients.z + zRow, lanes)
                        dD = multiplyAdd(g, input, dD)
                        var (du, ddt) = (g * d, FloatVector())
                        let dtu = dt * input
                        let bc = projected + row * projectedWidth + rank
                        let dRow = dBC + row * 2 * states
                        let previous = t == first ? start : h + i - states
                        for s in 0..<states {
                            let decay = decays[i + s]
                            let dhs = multiplyAdd(g, FloatVector(repeating: bc[states + s]), dh[s])
                            dRow[states + s] += horizontalSum(g * h[i + s])
                            let dDecayArgument = dhs * previous[s] * decay  // ∂L/∂(δ_t·A)
                            dA[s] = multiplyAdd(dDecayArgument, dt, dA[s])
                            ddt = multiplyAdd(dDecayArgument, a[s], ddt)
                            let dhB = dhs * FloatVector(repeating: bc[s])
                            ddt = multiplyAdd(dhB, input, ddt)
                            du = multiplyAdd(dhB, dt, du)
                            dRow[s] += horizontalSum(dhs * dtu)
                            dh[s] = dhs * decay
                        }
                        storeChannels(du, gradients.u + e, lanes)
                        let dPre = ddt * vectorSigmoid(loadChannels(preDelta + e, lanes))
                        storeChannels(dPre, gradients.preDelta + e, lanes)
                        dBias += dPre
                    }
                }
                let sums = perSequence.pointer + b * channels * (states + 2)
                for s in 0..<states {
                    storeChannels(dA[s] * a[s], sums + s * channels + c0, lanes)
                }
                storeChannels(dD, sums + states * channels + c0, lanes)
                storeChannels(dBias, sums + (states + 1) * channels + c0, lanes)
            }
        }
        reduce(gradBC: gradBC.pointer, workers: workers, perSequence: perSequence.pointer, into: gradients)
    }

    /// Tokens whose states the backward pass recomputes at a time (2·64·S vectors: 64 KiB at S = 16 on
    /// AVX2, within L2).
    static let chunkLength = 64

    /// Sums the per-worker ∂B, ∂C into `gradients.projected` and the per-sequence ∂A_log (stored `[S, E]`),
    /// ∂D, ∂bias into their `[E, S]` and `[E]` outputs.
    private func reduce(gradBC: UnsafePointer<Float>, workers: Int, perSequence: UnsafePointer<Float>,
                        into gradients: SelectiveScanGradients) {
        let rows = batch * length
        for row in 0..<rows {
            for k in 0..<(2 * states) {
                var sum: Float = 0
                for w in 0..<workers { sum += gradBC[(w * rows + row) * 2 * states + k] }
                gradients.projected[row * projectedWidth + rank + k] = sum
            }
        }
        for c in 0..<channels {
            for s in 0..<states { gradients.aLog[c * states + s] = 0 }
            gradients.skip[c] = 0
            gradients.bias[c] = 0
        }
        for b in 0..<batch {
            let sums = perSequence + b * channels * (states + 2)
            for c in 0..<channels {
                for s in 0..<states { gradients.aLog[c * states + s] += sums[s * channels + c] }
                gradients.skip[c] += sums[states * channels + c]
                gradients.bias[c] += sums[(states + 1) * channels + c]
            }
        }
    }
}
