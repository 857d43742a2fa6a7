import Foundation
import Kernels

/// The Mamba block written out from its formulas in Float64, token by token and channel by channel
/// (`mamba_simple.py`'s slow path with `selective_scan_ref`): the yardstick for `MambaMixer`.
/// Cost O(N·E·(m + S + R + K)) per sequence, single-threaded — for tests, not for speed.
public enum MambaReference {
    /// Y `[B, N, m]` (or `[N, m]`) for X shaped alike and the parameters `values` `[P]` in
    /// `MambaParameters`' flat layout, widened to Float64.
    public static func output(_ c: MambaConfiguration, parameters values: Tensor<Double>, input: Tensor<Double>) throws
        -> Tensor<Double>
    {
        try c.validate()
        let shape = try SequenceShape(input.shape, width: c.modelWidth)
        let layout = MambaLayout(c)
        guard values.shape == [layout.count] else {
            throw MixerError.mismatch("Mamba parameters have shape \(values.shape); expected [\(layout.count)]")
        }
        let flat = values.elements
        func parameter(_ p: MambaParameter) -> ArraySlice<Double> { flat[layout.range(p, c)] }
        let weights = Weights(
            inProjection: Array(parameter(.inProjection)), convolution: Array(parameter(.convolutionWeight)),
            convolutionBias: Array(parameter(.convolutionBias)), xProjection: Array(parameter(.xProjection)),
            dtProjection: Array(parameter(.dtProjection)), dtBias: Array(parameter(.dtBias)),
            aLog: Array(parameter(.aLog)), skip: Array(parameter(.skip)), outProjection: Array(parameter(.outProjection)))
        let x = input.elements
        var output = [Double]()
        for b in 0..<shape.batch {
            let n = shape.length
            let rows = (0..<n).map { t in Array(x[(b * n + t) * c.modelWidth ..< (b * n + t + 1) * c.modelWidth]) }
            output += sequence(rows, c, weights).flatMap { $0 }
        }
        return Tensor(shape: input.shape, elements: output)
    }

    struct Weights {
        let inProjection, convolution, convolutionBias, xProjection, dtProjection, dtBias, aLog, skip, outProjection: [Double]
    }

    /// W·v for W `[rows, v.count]` row-major.
    static func apply(_ w: [Double], rows: Int, _ v: [Double]) -> [Double] {
        (0..<rows).map { i in (0..<v.count).reduce(0) { $0 + w[i * v.count + $1] * v[$1] } }
    }

    static func silu(_ v: Double) -> Double { v / (1 + exp(-v)) }
    static func softplus(_ v: Double) -> Double { max(v, 0) + log1p(exp(-abs(v))) }

    /// One sequence of N tokens `[N][m]` → `[N][m]`.
    static func sequence(_ xs: [[Double]], _ c: MambaConfiguration, _ w: Weights) -> [[Double]] {
        let (m, e, s, r, k) = (c.modelWidth, c.innerWidth, c.stateSize, c.rank, c.convolutionWidth)
        let xz = xs.map { apply(w.inProjection, rows: 2 * e, $0) }
        var h = [Double](repeating: 0, count: e * s)
        var output = [[Double]]()
        for t in xs.indices {
            // Causal depthwise convolution + SiLU.
            let u = (0..<e).map { channel in
                var sum = w.convolutionBias[channel]
                for j in 0..<k where t - k + 1 + j >= 0 { sum += w.convolution[channel * k + j] * xz[t - k + 1 + j][channel] }
                return silu(sum)
            }
            let projected = apply(w.xProjection, rows: r + 2 * s, u)
            let low = Array(projected[0..<r])
            let delta = apply(w.dtProjection, rows: e, low).enumerated().map { softplus($1 + w.dtBias[$0]) }
            var gated = [Double](repeating: 0, count: e)
            for channel in 0..<e {
                var y = w.skip[channel] * u[channel]
                for state in 0..<s {
                    let a = -exp(w.aLog[channel * s + state])
                    let i = channel * s + state
                    h[i] = exp(delta[channel] * a) * h[i] + delta[channel] * projected[r + state] * u[channel]
                    y += h[i] * projected[r + s + state]
                }
                gated[channel] = y * silu(xz[t][e + channel])
            }
            output.append(apply(w.outProjection, rows: m, gated))
        }
        return output
    }
}
