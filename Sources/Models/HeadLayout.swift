import Kernels

// Moving activations between the token-major layout of the projections and the head-major layout of the
// attention kernel. Legend: B batch, N tokens, H heads, D head dimension, W row width of a fused matrix.
// The projections of all heads come out of one GEMM as `[B·N, W]` rows; the attention kernel wants
// `[B, H, N, D]`. Each function is one pass over its output, O(B·H·N·D), parallel over (batch, head).

/// Head-major copy of a fused matrix: head h of the result holds columns `columnOffset + h·D ..< +D`
/// of `fused` (`[B·N, W]`). Returns `[B, H, N, D]`.
func splitHeads(
    _ fused: Tensor<Float>, batch: Int, heads: Int, headDimension: Int, columnOffset: Int, threads: Int
) -> Tensor<Float> {
    let width = fused.matrixColumns, sequence = fused.matrixRows / batch
    precondition(columnOffset + heads * headDimension <= width && sequence * batch == fused.matrixRows, "bad head split")
    var result = Tensor<Float>(zeros: [batch, heads, sequence, headDimension])
    fused.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
            parallelFor(batch * heads, threads: threads) { item in
                let (source, target) = pointers.value
                let b = item / heads, h = item % heads
                let from = source + b * sequence * width + columnOffset + h * headDimension
                let to = target + item * sequence * headDimension  // [N, D]
                for n in 0..<sequence {
                    (to + n * headDimension).update(from: from + n * width, count: headDimension)
                }
            }
        }
    }
    return result
}

/// The inverse of `splitHeads`: writes head h of `perHead` (`[B, H, N, D]`) into columns
/// `columnOffset + h·D ..< +D` of `fused` (`[B·N, W]`).
func mergeHeads(_ perHead: Tensor<Float>, into fused: inout Tensor<Float>, columnOffset: Int, threads: Int) {
    let (batch, heads, sequence, headDimension) = (perHead.shape[0], perHead.shape[1], perHead.shape[2], perHead.shape[3])
    let width = fused.matrixColumns
    precondition(columnOffset + heads * headDimension <= width && fused.matrixRows == batch * sequence, "bad head merge")
    perHead.withUnsafeBufferPointer { source in
        fused.withUnsafeMutableBufferPointer { target in
            let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
            parallelFor(batch * heads, threads: threads) { item in
                let (source, target) = pointers.value
                let b = item / heads, h = item % heads
                let from = source + item * sequence * headDimension
                let to = target + b * sequence * width + columnOffset + h * headDimension
                for n in 0..<sequence {
                    (to + n * width).update(from: from + n * headDimension, count: headDimension)
                }
            }
        }
    }
}

/// The paper's sum of heads: `x[b, n, c] += Σ_h perHead[b, h, n, c]` for the first `x.matrixColumns`
/// columns c of each head (the rest are zero padding). `perHead` `[B, H, N, D]`, x `[B·N, m]`, m ≤ D.
/// Parallel over batch and blocks of 64 tokens.
func addHeadSum(_ perHead: Tensor<Float>, to x: inout Tensor<Float>, threads: Int) {
    let (batch, heads, sequence, headDimension) = (perHead.shape[0], perHead.shape[1], perHead.shape[2], perHead.shape[3])
    let width = x.matrixColumns, blockRows = 64
    precondition(width <= headDimension && x.matrixRows == batch * sequence, "bad head sum")
    let blocks = (sequence + blockRows - 1) / blockRows
    perHead.withUnsafeBufferPointer { source in
        x.withUnsafeMutableBufferPointer { target in
            let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
            parallelFor(batch * blocks, threads: threads) { item in
                let (source, target) = pointers.value
                let b = item / blocks, first = (item % blocks) * blockRows
                for h in 0..<heads {
                    for n in first..<min(sequence, first + blockRows) {
                        let from = source + ((b * heads + h) * sequence + n) * headDimension
                        let to = target + (b * sequence + n) * width
                        for c in 0..<width { to[c] += from[c] }
                    }
                }
            }
        }
    }
}

/// The gradient of `addHeadSum` with respect to the heads: every head receives `gradient` (`[B·N, m]`)
/// in its first m columns and zeros in the padding. Returns `[B, H, N, D]`.
func broadcastToHeads(
    _ gradient: Tensor<Float>, batch: Int, heads: Int, headDimension: Int, threads: Int
) -> Tensor<Float> {
    let width = gradient.matrixColumns, sequence = gradient.matrixRows / batch
    precondition(width <= headDimension, "bad head broadcast")
    var result = Tensor<Float>(zeros: [batch, heads, sequence, headDimension])
    gradient.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
            let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
            parallelFor(batch * heads, threads: threads) { item in
                let (source, target) = pointers.value
                let b = item / heads
                for n in 0..<sequence {
                    (target + (item * sequence + n) * headDimension)
                        .update(from: source + (b * sequence + n) * width, count: width)
                }
            }
        }
    }
    return result
}
