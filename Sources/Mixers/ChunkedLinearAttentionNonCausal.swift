import Kernels

/// The non-causal form of `ChunkedLinearAttention` (no decay): per head one state S = Kᵀ·V `[p, e]` and
/// O = Q·S, 4·p·e FLOPs per token; the backward pass adds R = Qᵀ·dO and three more row products.
/// At attention-like shapes these are GEMMs with a huge depth N and tiny m, n, so the state products cut
/// the tokens into segments (every thread busy even at H = 1) and the row products go 64 rows at a time.
extension ChunkedLinearAttention {
    /// Writes o `[G, N, e]` = q·(kᵀ·v) per head.
    func nonCausalForward(_ x: LinearAttentionInputs, output o: UnsafeMutablePointer<Float>) {
        let (p, e) = (keyWidth, valueWidth)
        let states = UnsafeMutablePointer<Float>.allocate(capacity: heads * p * e)
        defer { states.deallocate() }
        summedStates(x.k, x.v, width: e, into: states)
        rowsTimesStates(x.q, depth: p, states, width: e, into: o)
    }

    /// dq = dO·Sᵀ, dk = V·Rᵀ, dv = K·R with S = Kᵀ·V and R = Qᵀ·dO (`[p, e]` per head).
    func nonCausalBackward(_ x: LinearAttentionInputs, gradOutput dO: UnsafePointer<Float>, gradients d: LinearAttentionGradients) {
        let (p, e) = (keyWidth, valueWidth), size = heads * p * e
        let memory = UnsafeMutablePointer<Float>.allocate(capacity: 4 * size)
        defer { memory.deallocate() }
        let (s, r, sT, rT) = (memory, memory + size, memory + 2 * size, memory + 3 * size)
        summedStates(x.k, x.v, width: e, into: s)
        summedStates(x.q, dO, width: e, into: r)
        for g in 0..<heads {
            transpose(s + g * p * e, rows: p, columns: e, into: sT + g * p * e, ld: p)
            transpose(r + g * p * e, rows: p, columns: e, into: rT + g * p * e, ld: p)
        }
        rowsTimesStates(dO, depth: e, sT, width: p, into: d.q)
        rowsTimesStates(x.v, depth: e, rT, width: p, into: d.k)
        rowsTimesStates(x.k, depth: p, r, width: e, into: d.v)
    }

    /// s_g = Σ_t a_tᵀ·b_t `[p, w]` for a `[G, N, p]`, b `[G, N, w]`. Each head's tokens are cut into
    /// segments (enough for every thread); each segment's product is its own partial state and the
    /// partials are added in segment order, so a thread count always gives the same bits.
    /// Cost 2·N·p·w FLOPs per head, plus segments·p·w adds; memory G·segments·p·w floats.
    func summedStates(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, width w: Int, into s: UnsafeMutablePointer<Float>) {
        let (n, p) = (length, keyWidth), size = p * w
        let segments = stateSegments
        let partials = segments == 1 ? s : UnsafeMutablePointer<Float>.allocate(capacity: heads * segments * size)
        defer { if segments > 1 { partials.deallocate() } }
        parallelFor(heads * segments, threads: threads) { item in
            let (g, segment) = item.quotientAndRemainder(dividingBy: segments)
            let tokens = segment * n / segments ..< (segment + 1) * n / segments
            smallGEMM(transposeA: true, m: p, n: w, k: tokens.count, a: a + (g * n + tokens.lowerBound) * p, lda: p,
                      b: b + (g * n + tokens.lowerBound) * w, ldb: w, c: partials + item * size, ldc: w)
        }
        guard segments > 1 else { return }
        addSegments(partials, segments: segments, size: size)
        for g in 0..<heads { (s + g * size).update(from: partials + g * segments * size, count: size) }
    }

    /// Token segments per head for the state products with depth N: enough for every thread, ≥ 256 tokens each.
    var stateSegments: Int { max(1, min((threads + heads - 1) / heads, length / 256)) }

    /// Per head, adds the partial states of segments 1… to segment 0's in segment order (`partials`
    /// `[G, segments, size]`), so a thread count always gives the same bits. Cost G·(segments − 1)·size adds.
    func addSegments(_ partials: UnsafeMutablePointer<Float>, segments: Int, size: Int) {
        for g in 0..<heads {
            let total = partials + g * segments * size
            for segment in 1..<segments {
                zipLanes(total, total + segment * size, into: total, count: size) { $0 + $1 }
            }
        }
    }

    /// y `[G, N, w]` = x `[G, N, depth]` · states `[G, depth, w]` per head, in parallel over blocks of 64 rows.
    func rowsTimesStates(
        _ x: UnsafePointer<Float>, depth: Int, _ states: UnsafePointer<Float>, width w: Int, into y: UnsafeMutablePointer<Float>
    ) {
        let n = length, block = 64, blocks = (n + block - 1) / block
        parallelFor(heads * blocks, threads: threads) { item in
            let (g, b) = item.quotientAndRemainder(dividingBy: blocks)
            let rows = b * block ..< min(n, (b + 1) * block)
            smallGEMM(m: rows.count, n: w, k: depth, a: x + (g * n + rows.lowerBound) * depth, lda: depth,
                      b: states + g * depth * w, ldb: w, c: y + (g * n + rows.lowerBound) * w, ldc: w)
        }
    }
}
