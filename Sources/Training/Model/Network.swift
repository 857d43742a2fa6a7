/// One replica of a model's layers with activation buffers for `batchCapacity` examples, built from a
/// `ModelDescription`; all replicas share one `ParameterStore`. `forward` + `backward` compute the loss
/// of a slice of a batch and add its gradients to the replica's gradient buffer; `reference` is the
/// whole model's Float64 loss, composed of the layers' references, for gradient checks.
final class Network {
    let model: ModelDescription
    let batchCapacity: Int
    private let embedding: EmbeddingLayer?
    private let inputMLP: MLPLayer?
    private let assembly: SequenceAssemblyLayer?
    let blocks: any BlockStack
    private let finalNorm: NormLayer?
    private let classifier: ClassificationHead?
    private let regressor: MLPLayer?
    private let squaredError: MeanSquaredErrorLayer?
    /// `[B, m]` class-token rows (models with a class token).
    private let readout: FloatBuffer?
    /// `[B, N, m]` gradient of the last sequence when only the class token is read out.
    private let gradSequence: FloatBuffer?

    init(model: ModelDescription, batch: Int, parameters: ParameterStore) {
        self.model = model
        batchCapacity = batch
        let (m, n, t) = (model.width, model.sequenceLength, model.tokens)
        switch model.input {
        case .tokens(let vocabulary):
            embedding = EmbeddingLayer("embedding", vocabulary: vocabulary, width: m, rows: batch * t, parameters: parameters)
            inputMLP = nil
        case .continuous(let dimension, let hidden):
            embedding = nil
            inputMLP = MLPLayer("input", input: dimension, hidden: hidden, output: m, activation: .relu, rows: batch * t,
                                parameters: parameters)
        }
        assembly = model.classToken || model.learnedPositions
            ? SequenceAssemblyLayer(tokens: t, width: m, classToken: model.classToken, positions: model.learnedPositions,
                                    batch: batch, parameters: parameters)
            : nil
        blocks = makeBlockStack(model: model, batch: batch, parameters: parameters)
        finalNorm = model.norm == .pre
            ? NormLayer("final_norm", kind: model.normKind, width: m, rows: batch * n, parameters: parameters) : nil
        let rows = batch * model.outputPositions
        switch model.output {
        case .classification(let classes):
            classifier = ClassificationHead(classes: classes, width: m, rows: rows, parameters: parameters)
            regressor = nil
            squaredError = nil
        case .regression(let dimension, let hidden):
            classifier = nil
            regressor = MLPLayer("head", input: m, hidden: hidden, output: dimension, activation: .gelu, rows: rows,
                                 parameters: parameters)
            squaredError = MeanSquaredErrorLayer(width: dimension, rows: rows)
        }
        readout = model.classToken ? FloatBuffer(count: batch * m) : nil
        gradSequence = model.classToken ? FloatBuffer(count: batch * n * m) : nil
    }

    /// Output rows of `count` examples.
    private func outputRows(_ count: Int) -> Int { count * model.outputPositions }

    /// The loss of examples `examples` of `batch`, times `scale` (1/counted targets of the whole batch).
    /// Keeps every activation for `backward`. Cost: the layers' forward costs.
    func forward(_ batch: Batch, examples: Range<Int>, scale: Float, _ context: StepContext) -> Double {
        let count = examples.count, first = examples.lowerBound
        let (m, n, t) = (model.width, model.sequenceLength, model.tokens)
        var x: UnsafeMutablePointer<Float>
        if let embedding {
            x = embedding.forward(batch.tokens!.pointer + first * t, rows: count * t, context)
        } else {
            x = inputMLP!.forward(batch.vectors!.pointer + first * batch.vectors!.count / batch.capacity,
                                  rows: count * t, context)
        }
        if let assembly { x = assembly.forward(x, batch: count, context) }
        x = blocks.forward(x, batch: count, context)
        if let finalNorm { x = finalNorm.forward(x, rows: count * n, context) }
        if let readout {
            for b in 0..<count { (readout.pointer + b * m).update(from: x + b * n * m, count: m) }
            x = readout.pointer
        }
        let rows = outputRows(count)
        if let classifier {
            return classifier.forward(x, targets: batch.classTargets!.pointer + first * model.outputPositions, rows: rows,
                                      scale: scale, context)
        }
        let predictions = regressor!.forward(x, rows: rows, context)
        let k = squaredError!.width
        return squaredError!.forward(predictions, targets: batch.valueTargets!.pointer + first * k, rows: rows, scale: scale)
    }

    /// Adds the gradients of the last `forward`'s loss to `context.gradients`. Cost ≈ 2× the forward.
    func backward(examples count: Int, _ context: StepContext) {
        let (m, n, t) = (model.width, model.sequenceLength, model.tokens)
        let rows = outputRows(count)
        var dx: UnsafeMutablePointer<Float>
        if let classifier {
            dx = classifier.backward(rows: rows, context)
        } else {
            dx = regressor!.backward(squaredError!.gradInput.pointer, rows: rows, context)!
        }
        if let gradSequence {
            gradSequence.pointer.update(repeating: 0, count: count * n * m)
            for b in 0..<count { (gradSequence.pointer + b * n * m).update(from: dx + b * m, count: m) }
            dx = gradSequence.pointer
        }
        if let finalNorm { dx = finalNorm.backward(dx, rows: count * n, context) }
        dx = blocks.backward(dx, batch: count, context)
        if let assembly { dx = assembly.backward(dx, batch: count, context) }
        if let embedding {
            embedding.backward(dx, rows: count * t, context)
        } else {
            inputMLP!.backward(dx, rows: count * t, context, inputGradient: false)
        }
    }

    /// Which output rows of the last `forward` were right (classification), `[examples × P]`, 1 or 0.
    var correctRows: UnsafeMutablePointer<Float>? { classifier?.correct.pointer }

    /// The predictions of the last `forward` (regression), `[examples, k]`.
    var predictions: UnsafeMutablePointer<Float>? { regressor?.output }

    /// The Float64 loss of examples `examples` with the flat parameter values `parameters`.
    func reference(_ batch: Batch, examples: Range<Int>, scale: Double, parameters p: [Double]) -> Double {
        let count = examples.count, first = examples.lowerBound
        let (m, n, t) = (model.width, model.sequenceLength, model.tokens)
        var x: [Double]
        if let embedding {
            x = embedding.reference(Array(UnsafeBufferPointer(start: batch.tokens!.pointer + first * t, count: count * t)),
                                    parameters: p)
        } else {
            let per = batch.vectors!.count / batch.capacity
            let input = UnsafeBufferPointer(start: batch.vectors!.pointer + first * per, count: count * per).map(Double.init)
            x = inputMLP!.reference(input, rows: count * t, parameters: p)
        }
        if let assembly { x = assembly.reference(x, batch: count, parameters: p) }
        x = blocks.reference(x, batch: count, parameters: p)
        if let finalNorm { x = finalNorm.reference(x, rows: count * n, parameters: p) }
        if model.classToken { x = (0..<count).flatMap { b in x[(b * n * m)..<(b * n * m + m)] } }
        let rows = outputRows(count)
        if let classifier {
            let targets = Array(UnsafeBufferPointer(start: batch.classTargets!.pointer + first * model.outputPositions, count: rows))
            return classifier.reference(x, targets: targets, scale: scale, parameters: p)
        }
        let k = squaredError!.width
        let targets = Array(UnsafeBufferPointer(start: batch.valueTargets!.pointer + first * k, count: rows * k))
        return MeanSquaredErrorLayer.reference(regressor!.reference(x, rows: rows, parameters: p), targets: targets, scale: scale)
    }
}
