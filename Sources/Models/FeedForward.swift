import Kernels

/// What the MLP backward pass needs from its forward pass. Legend: R rows (B·N tokens), m embedding,
/// f hidden width.
struct MLPCache: Sendable {
    /// `[R, m]`, the MLP's input.
    let input: Tensor<Float>
    /// `[R, f]`, x·W1 + b1.
    let preActivation: Tensor<Float>
    /// `[R, f]`, act(x·W1 + b1).
    let hidden: Tensor<Float>
}

extension PaperMLP {
    /// f, the hidden width.
    var hiddenWidth: Int { weight1.shape.last ?? 0 }

    /// The MLP's update `act(x·W1 + b1)·W2 + b2` (the caller adds the residual). x `[R, m]` → `[R, m]`.
    /// Cost 4·R·m·f FLOPs in two GEMMs plus one activation pass over `[R, f]`.
    func update(_ x: Tensor<Float>, threads: Int) -> (update: Tensor<Float>, cache: MLPCache) {
        var preActivation = matrixProduct(x, weight1, threads: threads)  // [R, f]
        addRowVector(bias1, to: &preActivation)
        let hidden = activation.map(preActivation, threads: threads)
        var update = matrixProduct(hidden, weight2, threads: threads)  // [R, m]
        addRowVector(bias2, to: &update)
        return (update, MLPCache(input: x, preActivation: preActivation, hidden: hidden))
    }

    /// Gradients of `update` given ∂loss/∂update (`[R, m]`): with respect to its input (`[R, m]`, without
    /// the residual's identity term) and to every weight, in a `PaperMLP` of the same shapes.
    /// Cost 8·R·m·f FLOPs in four GEMMs.
    func backward(_ cache: MLPCache, gradUpdate: Tensor<Float>, threads: Int) -> (input: Tensor<Float>, weights: PaperMLP) {
        let gradWeight2 = matrixProduct(cache.hidden, transposeA: true, gradUpdate, threads: threads)  // [f, m]
        var gradHidden = matrixProduct(gradUpdate, weight2, transposeB: true, threads: threads)  // [R, f]
        activation.backpropagate(cache.preActivation, gradient: &gradHidden, threads: threads)
        let gradWeight1 = matrixProduct(cache.input, transposeA: true, gradHidden, threads: threads)  // [m, f]
        let gradInput = matrixProduct(gradHidden, weight1, transposeB: true, threads: threads)  // [R, m]
        let weights = PaperMLP(
            weight1: gradWeight1, bias1: columnSums(gradHidden), weight2: gradWeight2, bias2: columnSums(gradUpdate),
            activation: activation)
        return (gradInput, weights)
    }
}

extension Activation {
    /// f applied to every element of a matrix, parallel over blocks of rows.
    func map(_ x: Tensor<Float>, threads: Int) -> Tensor<Float> {
        var y = Tensor<Float>(zeros: x.shape)
        x.withUnsafeBufferPointer { source in
            y.withUnsafeMutableBufferPointer { target in
                let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
                forEachRowBlock(rows: x.matrixRows, columns: x.matrixColumns, threads: threads) { first, count in
                    apply(pointers.value.0 + first, pointers.value.1 + first, count: count)
                }
            }
        }
        return y
    }

    /// `gradient ← gradient ∘ f'(x)` in place (x and gradient of one shape), parallel over blocks of rows.
    func backpropagate(_ x: Tensor<Float>, gradient: inout Tensor<Float>, threads: Int) {
        x.withUnsafeBufferPointer { source in
            gradient.withUnsafeMutableBufferPointer { target in
                let pointers = UncheckedSendable((source.baseAddress!, target.baseAddress!))
                forEachRowBlock(rows: x.matrixRows, columns: x.matrixColumns, threads: threads) { first, count in
                    let (x, g) = pointers.value
                    backward(x + first, g + first, g + first, count: count)
                }
            }
        }
    }
}

/// Calls `body(firstElement, elementCount)` for blocks of 32 rows of a `[rows, columns]` matrix, in
/// parallel: the work items of elementwise passes over activations.
private func forEachRowBlock(rows: Int, columns: Int, threads: Int, _ body: (_ first: Int, _ count: Int) -> Void) {
    let blockRows = 32
    parallelFor((rows + blockRows - 1) / blockRows, threads: threads) { block in
        let firstRow = block * blockRows
        body(firstRow * columns, min(rows - firstRow, blockRows) * columns)
    }
}
