import Kernels

/// Pointers of one normalised backward call: v, o, dO `[G·N, D]`, the forward's denominators `[G·N]` (ε
/// included), and dV `[G·N, D]` to write.
struct NormalizedBackwardInputs {
    let v: UnsafePointer<Float>, output: UnsafePointer<Float>, denominator: UnsafePointer<Float>
    let gradOutput: UnsafePointer<Float>
    let gradValues: UnsafeMutablePointer<Float>
}

/// Runs `body` on the pointers of a normalised mixer's backward call (the denominators are `forward.saved[0]`)
/// and returns dV, shaped like the values.
func normalizedBackward(values: Tensor<Float>, forward: MixerForward, gradOutput: Tensor<Float>,
                        _ body: (NormalizedBackwardInputs) -> Void) -> Tensor<Float> {
    var gradValues = Tensor<Float>(zeros: values.shape)
    values.withUnsafeBufferPointer { v in
        forward.output.withUnsafeBufferPointer { o in
            forward.saved[0].withUnsafeBufferPointer { den in
                gradOutput.withUnsafeBufferPointer { dO in
                    gradValues.withUnsafeMutableBufferPointer { dv in
                        body(NormalizedBackwardInputs(v: v.baseAddress!, output: o.baseAddress!, denominator: den.baseAddress!,
                                                      gradOutput: dO.baseAddress!, gradValues: dv.baseAddress!))
                    }
                }
            }
        }
    }
    return gradValues
}
