import Kernels

/// Calls `body` with the base addresses of `inputs` (read-only) and of new zero-filled tensors shaped
/// `outputShapes` (writable), all borrowed for the one call — a flat scope instead of one nested
/// `withUnsafe…Pointer` closure per tensor. Returns the written tensors in the order of `outputShapes`.
func withTensorStorage(
    reading inputs: [Tensor<Float>], writing outputShapes: [[Int]],
    _ body: (_ inputs: [UnsafePointer<Float>], _ outputs: [UnsafeMutablePointer<Float>]) -> Void
) -> [Tensor<Float>] {
    func borrowInputs(_ index: Int, _ borrowed: [UnsafePointer<Float>]) -> [Tensor<Float>] {
        guard index < inputs.count else { return borrowOutputs(0, inputs: borrowed, []) }
        return inputs[index].withUnsafeBufferPointer { borrowInputs(index + 1, borrowed + [$0.baseAddress!]) }
    }
    func borrowOutputs(
        _ index: Int, inputs: [UnsafePointer<Float>], _ borrowed: [UnsafeMutablePointer<Float>]
    ) -> [Tensor<Float>] {
        guard index < outputShapes.count else {
            body(inputs, borrowed)
            return []
        }
        var output = Tensor<Float>(zeros: outputShapes[index])
        let rest = output.withUnsafeMutableBufferPointer {
            borrowOutputs(index + 1, inputs: inputs, borrowed + [$0.baseAddress!])
        }
        return [output] + rest
    }
    return borrowInputs(0, [])
}
