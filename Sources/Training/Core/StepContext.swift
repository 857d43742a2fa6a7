/// What every layer's forward and backward pass reads besides its activations: the shared parameter
/// values, the gradient buffer of the replica running the pass (gradients are *added* to it), and the
/// threads its kernels may use.
struct StepContext {
    let values: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    let threads: Int
}
