/// The classification head, run on the rows that count: gathers the rows whose target is not −1,
/// applies the linear layer (`[m, classes]`) and the fused softmax cross-entropy to them only, and
/// scatters the gradient back (zero on ignored rows). MQAR counts kv of N positions (16 of 256), so the
/// head's three products shrink by N/kv; the loss and gradients equal those over every row with the
/// ignored ones masked.
///
/// Shapes: x `[R, m]`, targets `[R]`. Cost: 6·K·m·classes FLOPs for K counted rows, plus O(R·m) copies.
final class ClassificationHead {
    let linear: LinearLayer
    let loss: SoftmaxCrossEntropyLayer
    let width: Int
    /// `[R, m]` counted rows, then `[R]` their targets and original row numbers.
    private let gathered: FloatBuffer
    private let gatheredTargets: IndexBuffer
    private let sourceRows: IndexBuffer
    private let gradInput: FloatBuffer
    /// `[R]`: 1 where a counted row's arg-max is its target, else 0.
    let correct: FloatBuffer
    private var counted = 0

    /// Registers `head.weight` and `head.bias`.
    init(classes: Int, width: Int, rows: Int, parameters: ParameterStore) {
        self.width = width
        linear = LinearLayer("head", input: width, output: classes, rows: rows, parameters: parameters)
        loss = SoftmaxCrossEntropyLayer(classes: classes, rows: rows)
        gathered = FloatBuffer(count: rows * width)
        gatheredTargets = IndexBuffer(count: rows)
        sourceRows = IndexBuffer(count: rows)
        gradInput = FloatBuffer(count: rows * width)
        correct = FloatBuffer(count: rows)
    }

    /// The scaled loss of the counted rows of x.
    func forward(_ x: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, scale: Float,
                 _ context: StepContext) -> Double {
        counted = 0
        for r in 0..<rows where targets[r] >= 0 {
            (gathered.pointer + counted * width).update(from: x + r * width, count: width)
            gatheredTargets.pointer[counted] = targets[r]
            sourceRows.pointer[counted] = Int32(r)
            counted += 1
        }
        let logits = linear.forward(gathered.pointer, rows: counted, context)
        let value = loss.forward(logits, targets: gatheredTargets.pointer, rows: counted, scale: scale)
        correct.pointer.update(repeating: 0, count: rows)
        for k in 0..<counted { correct.pointer[Int(sourceRows.pointer[k])] = loss.correct.pointer[k] }
        return value
    }

    /// Adds the head's parameter gradients; returns dx `[rows, m]`.
    func backward(rows: Int, _ context: StepContext) -> UnsafeMutablePointer<Float> {
        let dGathered = linear.backward(loss.gradInput.pointer, rows: counted, context)!
        gradInput.pointer.update(repeating: 0, count: rows * width)
        for k in 0..<counted {
            (gradInput.pointer + Int(sourceRows.pointer[k]) * width).update(from: dGathered + k * width, count: width)
        }
        return gradInput.pointer
    }

    /// The Float64 reference: the linear layer on every row, cross-entropy over the counted ones.
    func reference(_ x: [Double], targets: [Int32], scale: Double, parameters: [Double]) -> Double {
        SoftmaxCrossEntropyLayer.reference(linear.reference(x, rows: targets.count, parameters: parameters),
                                           targets: targets, classes: linear.outputWidth, scale: scale)
    }
}
