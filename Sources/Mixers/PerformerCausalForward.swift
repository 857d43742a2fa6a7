import Foundation
import Kernels

/// Performer's causal forward pass (`NormalizedFeatureAttention`'s formula, ε = 0, on FAVOR+ features)
/// with the features made chunk by chunk (`PerformerFeatureChunks`), never as whole φ tensors:
///
///  1. per (head, chunk): u = projections of K_c, the chunk's largest u c_c, Ê_c = m^{−1/2}·exp(u − ‖k̂‖²/2 − c_c)
///     (kept), ΔŜ_c = Ê_cᵀ·V_c `[m, D]`, Δẑ_c = Σ rows of Ê_c and Σ rows of V_c (the last chunk no state);
///  2. per head the key stabiliser c = max_c c_c; each chunk's own state becomes exactly that of the
///     features with c, ΔS_c = e^{c_c − c}·ΔŜ_c + m^{−1/2}·ε·1 ⊗ ΣV_c and Δz_c = e^{c_c − c}·Δẑ_c + m^{−1/2}·ε·L
///     (e^{c_c − c} ≤ 1 and every exponent ≤ 0: nothing overflows); exclusive prefix scans (`ChunkStates`);
///  3. per (head, chunk): φ(Q_c), φ(K_c) = e^{c_c − c}·Ê_c + m^{−1/2}·ε, and `normalizedChunkOutput`.
/// Each of K and Q is projected once: cost per token and head 2·2·m·D + 2·m exps + the engine's
/// `ChunkedLinearAttention.flops(m, D)` + ≈ 5·m. Memory: Ê `[G, N, m]` (written once, read once, which
/// costs less than projecting K again; from `pool`), the chunk states G·chunks·(m + 1)·(D + 1) floats and per worker
/// `ChunkScratch`.
struct PerformerCausalForward {
    let map: PerformerFeatureChunks
    let heads: Int
    /// Where Ê `[G, N, m]` is kept.
    let pool: BufferPool

    /// Writes o `[G·N, D]` and the denominators `[G·N]`; returns each head's key stabiliser.
    func run(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
             output o: UnsafeMutablePointer<Float>, denominator den: UnsafeMutablePointer<Float>) -> [KeyStabiliser] {
        let (n, d, m) = (map.length, map.headDimension, map.features)
        let engine = ChunkedLinearAttention(heads: heads, length: n, keyWidth: m, valueWidth: d, causal: true)
        let chunks = engine.chunkCount
        let states = ChunkStates(heads: heads, chunks: chunks, keyWidth: m, valueWidth: d, decay: false)
        let sums = ChunkStates(heads: heads, chunks: chunks, keyWidth: 1, valueWidth: m, decay: false)
        let valueSums = ChunkStates(heads: heads, chunks: chunks, keyWidth: 1, valueWidth: d, decay: false)
        let tops = UnsafeMutablePointer<KeyStabiliser>.allocate(capacity: heads * chunks)
        defer {
            [states, sums, valueSums].forEach { $0.free() }
            tops.deallocate()
        }
        return pool.with(count: heads * n * m) { exponentials in
            parallelFor(heads * chunks, threads: engine.threads) { item in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                let first = g * n + engine.rows(c).lowerBound, count = engine.rows(c).count, keys = exponentials + first * m
                (tops + item).initialize(to: map.localKeyExponentials(k, first ..< first + count, into: keys))
                guard c + 1 < chunks else { return }
                smallGEMM(transposeA: true, m: m, n: d, k: count, a: keys, lda: m, b: v + first * d, ldb: d,
                          c: states.state(g, c), ldc: d)
                weightedColumnSums(keys, rows: count, width: m, weights: nil, into: sums.state(g, c))
                weightedColumnSums(v + first * d, rows: count, width: d, weights: nil, into: valueSums.state(g, c))
            }
            let stabilisers = PerformerFeatures.headMaxima(UnsafeBufferPointer(start: tops, count: heads * chunks), heads: heads)
            let floor = PerformerFeatures.epsilon / Float(m).squareRoot()
            parallelFor(heads * (chunks - 1), threads: engine.threads) { item in
                let (g, c) = item.quotientAndRemainder(dividingBy: chunks - 1)
                let factor = MixerVector(repeating: Foundation.exp(tops[g * chunks + c].value - stabilisers[g].value))
                let valueTerm = MixerVector(repeating: floor), state = states.state(g, c), sum = sums.state(g, c)
                for a in 0..<m {
                    zipLanes(state + a * d, valueSums.state(g, c), into: state + a * d, count: d) {
                        multiplyAdd(factor, $0, valueTerm * $1)
                    }
                }
                let countTerm = MixerVector(repeating: floor * Float(engine.rows(c).count))
                zipLanes(sum, sum, into: sum, count: m) { x, _ in multiplyAdd(factor, x, countTerm) }
            }
            states.scan(reverse: false, threads: engine.threads)
            sums.scan(reverse: false, threads: engine.threads)
            engine.withChunkScratch { scratch in
                parallelForWorkers(heads * chunks, threads: engine.threads) { item, worker in
                    let (g, c) = item.quotientAndRemainder(dividingBy: chunks)
                    let s = scratch(worker), first = g * n + engine.rows(c).lowerBound
                    let rows = first ..< first + engine.rows(c).count
                    map.queryFeatures(q, rows, into: s.queries, argmax: nil)
                    let factor = MixerVector(repeating: Foundation.exp(tops[item].value - stabilisers[g].value))
                    let floorTerm = MixerVector(repeating: floor)
                    zipLanes(exponentials + first * m, exponentials + first * m, into: s.keys, count: rows.count * m) { x, _ in
                        multiplyAdd(factor, x, floorTerm)
                    }
                    engine.normalizedChunkOutput(head: g, chunk: c, states: states, sums: sums, values: v, output: o,
                                                 denominator: den, epsilon: 0, scratch: s)
                }
            }
            return stabilisers
        }
    }
}
