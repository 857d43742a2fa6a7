import Kernels

/// What the Nyström forward pass keeps for the backward pass (G heads back to back; m landmarks).
struct NystromActivations {
    /// Segment means Q̃, K̃ `[G, m, D]` (unscaled).
    var queryLandmarks, keyLandmarks: Tensor<Float>
    /// A = softmax(s·Q̃·K̃ᵀ) `[G, m, m]`, Z ≈ pinv(A) `[G, m, m]` and Z's iterates Z₀ … Z₅ `[G, 6, m, m]`.
    var kernel, inverse, iterates: Tensor<Float>
    /// Y = K₃·V and W = Z·Y `[G, m, D]`.
    var summary, weights: Tensor<Float>
    /// K₁ = softmax(s·Q·K̃ᵀ) `[G, N, m]`.
    var queryProbabilities: Tensor<Float>
    /// K₃ᵀ = E·diag(r) kept as E = exp(s·K·Q̃ᵀ − column max) `[G, N, m]` and r = 1 / column sums `[G, m]`.
    var keyExponentials, reciprocalSums: Tensor<Float>

    /// Fresh zero tensors for G heads of N tokens, m landmarks, head dimension D.
    init(heads g: Int, length n: Int, landmarks m: Int, headDimension d: Int) {
        (queryLandmarks, keyLandmarks) = (Tensor(zeros: [g, m, d]), Tensor(zeros: [g, m, d]))
        (kernel, inverse) = (Tensor(zeros: [g, m, m]), Tensor(zeros: [g, m, m]))
        iterates = Tensor(zeros: [g, IterativeInverse.iterations, m, m])
        (summary, weights) = (Tensor(zeros: [g, m, d]), Tensor(zeros: [g, m, d]))
        (queryProbabilities, keyExponentials) = (Tensor(zeros: [g, n, m]), Tensor(zeros: [g, n, m]))
        reciprocalSums = Tensor(zeros: [g, m])
    }

    /// The activations from `MixerForward.saved` (the order of `tensors`).
    init(_ saved: [Tensor<Float>]) {
        (queryLandmarks, keyLandmarks, kernel, inverse, iterates) = (saved[0], saved[1], saved[2], saved[3], saved[4])
        (summary, weights, queryProbabilities, keyExponentials, reciprocalSums) = (saved[5], saved[6], saved[7], saved[8], saved[9])
    }

    /// The tensors for `MixerForward.saved`.
    var tensors: [Tensor<Float>] {
        [queryLandmarks, keyLandmarks, kernel, inverse, iterates, summary, weights, queryProbabilities, keyExponentials,
         reciprocalSums]
    }
}
