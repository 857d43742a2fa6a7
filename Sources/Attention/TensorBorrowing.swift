import Kernels

/// Calls `body` with the base addresses of `inputs` (read-only) and of `outputs` (writable), all borrowed
/// for the one call — a flat scope instead of one nested `withUnsafe…Pointer` closure per tensor. An
/// output tensor whose storage is shared is copied first (copy-on-write), so `body` never writes into
/// another tensor's elements; an unshared one is written in place, with no new memory.
func withTensorStorage(
    reading inputs: [Tensor<Float>], writing outputs: inout [Tensor<Float>],
    _ body: (_ inputs: [UnsafePointer<Float>], _ outputs: [UnsafeMutablePointer<Float>]) -> Void
) {
    func borrowInputs(_ index: Int, _ borrowed: [UnsafePointer<Float>]) {
        guard index < inputs.count else { return borrowOutputs(0, inputs: borrowed, []) }
        inputs[index].withUnsafeBufferPointer { borrowInputs(index + 1, borrowed + [$0.baseAddress!]) }
    }
    func borrowOutputs(_ index: Int, inputs: [UnsafePointer<Float>], _ borrowed: [UnsafeMutablePointer<Float>]) {
        guard index < outputs.count else { return body(inputs, borrowed) }
        // Take the tensor out of the array so the array's reference does not make its storage look shared.
        var output = Tensor<Float>(zeros: [0])
        swap(&output, &outputs[index])
        output.withUnsafeMutableBufferPointer { borrowOutputs(index + 1, inputs: inputs, borrowed + [$0.baseAddress!]) }
        swap(&output, &outputs[index])
    }
    borrowInputs(0, [])
}

/// `withTensorStorage(reading:writing:_:)` into new zero-filled tensors shaped `outputShapes`, returned
/// in that order.
func withTensorStorage(
    reading inputs: [Tensor<Float>], writing outputShapes: [[Int]],
    _ body: (_ inputs: [UnsafePointer<Float>], _ outputs: [UnsafeMutablePointer<Float>]) -> Void
) -> [Tensor<Float>] {
    var outputs = outputShapes.map { Tensor<Float>(zeros: $0) }
    withTensorStorage(reading: inputs, writing: &outputs, body)
    return outputs
}
