import Attention
import Kernels

/// `bench attention --depth-slots S`: plain flash attention against the same call with S random MoDA
/// depth slots per query (`[B, H, N, S, D]` keys and values), forward and backward each timed in
/// alternating rounds (`timeInterleaved`), so machine load falls on both alike. The backward passes
/// write into gradients kept from a first call, as a training loop does (the slot gradients alone are
/// 2·H·N·S·D floats; fresh ones per call would time page faults, not attention).
struct DepthOverhead: Codable {
    let slots: Int
    let plainSeconds, depthSeconds: Double
    /// depth / plain − 1 for the forward pass (median times).
    let forwardOverhead: Double
    let plainBackwardSeconds, depthBackwardSeconds: Double?
    /// depth / plain − 1 for the backward pass, when timed.
    let backwardOverhead: Double?

    init(slots: Int, plainSeconds: Double, depthSeconds: Double, plainBackwardSeconds: Double?, depthBackwardSeconds: Double?) {
        self.slots = slots
        self.plainSeconds = plainSeconds
        self.depthSeconds = depthSeconds
        forwardOverhead = depthSeconds / plainSeconds - 1
        self.plainBackwardSeconds = plainBackwardSeconds
        self.depthBackwardSeconds = depthBackwardSeconds
        if let plainBackwardSeconds, let depthBackwardSeconds {
            backwardOverhead = depthBackwardSeconds / plainBackwardSeconds - 1
        } else {
            backwardOverhead = nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case slots
        case plainSeconds = "plain_seconds", depthSeconds = "depth_seconds", forwardOverhead = "forward_overhead"
        case plainBackwardSeconds = "plain_backward_seconds", depthBackwardSeconds = "depth_backward_seconds"
        case backwardOverhead = "backward_overhead"
    }

    /// Times `repeat` alternating rounds of plain and depth-slot attention on `q`, `k`, `v`.
    static func measure(
        slots: Int, queries q: Tensor<Float>, keys k: Tensor<Float>, values v: Tensor<Float>, mask: AttentionMask,
        backward: Bool, repeat count: Int, threads: Int
    ) throws -> DepthOverhead {
        let depthShape = Array(q.shape.dropLast()) + [slots, q.shape.last!]
        let depth = DepthSlots(keys: .normal(depthShape, seed: 5), values: .normal(depthShape, seed: 6))
        let plain = try scaledDotProductAttention(queries: q, keys: k, values: v, mask: mask, threads: threads)
        let withSlots = try scaledDotProductAttention(queries: q, keys: k, values: v, depth: depth, mask: mask, threads: threads)
        let forward = timeInterleaved(count, {
            _ = try? scaledDotProductAttention(queries: q, keys: k, values: v, mask: mask, threads: threads)
        }, {
            _ = try? scaledDotProductAttention(queries: q, keys: k, values: v, depth: depth, mask: mask, threads: threads)
        })
        var backwardTimes: (first: [Double], second: [Double])?
        if backward {
            let gradOutput = Tensor<Float>.normal(q.shape, seed: 4)
            var plainGradients = try scaledDotProductAttentionBackward(
                queries: q, keys: k, values: v, forward: plain, gradOutput: gradOutput, mask: mask, threads: threads)
            var depthGradients = try scaledDotProductAttentionBackward(
                queries: q, keys: k, values: v, depth: depth, forward: withSlots, gradOutput: gradOutput, mask: mask,
                threads: threads)
            backwardTimes = timeInterleaved(count, {
                try? scaledDotProductAttentionBackward(
                    queries: q, keys: k, values: v, forward: plain, gradOutput: gradOutput, mask: mask, threads: threads,
                    into: &plainGradients)
            }, {
                try? scaledDotProductAttentionBackward(
                    queries: q, keys: k, values: v, depth: depth, forward: withSlots, gradOutput: gradOutput, mask: mask,
                    threads: threads, into: &depthGradients)
            })
        }
        return DepthOverhead(
            slots: slots, plainSeconds: median(forward.first), depthSeconds: median(forward.second),
            plainBackwardSeconds: backwardTimes.map { median($0.first) },
            depthBackwardSeconds: backwardTimes.map { median($0.second) })
    }
}
