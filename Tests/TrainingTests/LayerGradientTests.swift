import Attention
import Testing
@testable import Training

/// Every layer's fp32 backward pass against finite differences of its Float64 reference, on odd sizes.
@Suite struct LayerGradientTests {
    @Test func linear() {
        let harness = LayerHarness()
        let layer = LinearLayer("fc", input: 7, output: 5, rows: 3, parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 21, outputCount: 15,
                   forward: { layer.forward($0, rows: 3, $1) }, backward: { layer.backward($0, rows: 3, $1) },
                   reference: { layer.reference($0, rows: 3, parameters: $1) })
    }

    @Test(arguments: TrainingActivation.allCases) func activation(_ function: TrainingActivation) {
        let harness = LayerHarness()
        let layer = ActivationLayer(function, width: 9, rows: 3)
        checkLayer(harness: harness, inputCount: 27, outputCount: 27,
                   forward: { x, _ in layer.forward(x, rows: 3) }, backward: { dy, _ in layer.backward(dy, rows: 3) },
                   reference: { x, _ in layer.reference(x) })
    }

    @Test(arguments: TrainingActivation.allCases) func mlp(_ function: TrainingActivation) {
        let harness = LayerHarness()
        let layer = MLPLayer("mlp", input: 5, hidden: 11, output: 3, activation: function, rows: 7, parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 35, outputCount: 21,
                   forward: { layer.forward($0, rows: 7, $1) }, backward: { layer.backward($0, rows: 7, $1) },
                   reference: { layer.reference($0, rows: 7, parameters: $1) })
    }

    @Test(arguments: NormKind.allCases) func norm(_ kind: NormKind) {
        let harness = LayerHarness()
        let layer = NormLayer("norm", kind: kind, width: 13, rows: 5, parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 65, outputCount: 65,
                   forward: { layer.forward($0, rows: 5, $1) }, backward: { layer.backward($0, rows: 5, $1) },
                   reference: { layer.reference($0, rows: 5, parameters: $1) })
    }

    @Test func embedding() {
        let harness = LayerHarness()
        let layer = EmbeddingLayer("embedding", vocabulary: 7, width: 5, rows: 9, parameters: harness.parameters)
        let ids: [Int32] = [0, 3, 6, 3, 1, 1, 5, 2, 3]
        let idBuffer = IndexBuffer(count: 9)
        idBuffer.pointer.update(from: ids, count: 9)
        checkLayer(harness: harness, inputCount: 0, outputCount: 45,
                   forward: { _, context in layer.forward(idBuffer.pointer, rows: 9, context) },
                   backward: { layer.backward($0, rows: 9, $1); return nil },
                   reference: { _, p in layer.reference(ids, parameters: p) })
    }

    @Test func classTokenAndPositions() {
        let harness = LayerHarness()
        let layer = SequenceAssemblyLayer(tokens: 5, width: 3, classToken: true, positions: true, batch: 3,
                                          parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 45, outputCount: 54,
                   forward: { layer.forward($0, batch: 3, $1) }, backward: { layer.backward($0, batch: 3, $1) },
                   reference: { layer.reference($0, batch: 3, parameters: $1) })
    }

    @Test(arguments: [AttentionMask.none, .causal, .slidingWindow(2)]) func attention(_ mask: AttentionMask) {
        let harness = LayerHarness()
        let layer = AttentionLayer("attention", width: 7, heads: 3, headDimension: 3, length: 5, mask: mask, batch: 3,
                                   parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 105, outputCount: 105,
                   forward: { layer.forward($0, batch: 3, $1) }, backward: { layer.backward($0, batch: 3, $1) },
                   reference: { layer.reference($0, batch: 3, parameters: $1) })
    }

    /// N = 67 through the flash kernels (`AttentionPath.fastest` takes the materialised path there).
    @Test(arguments: [AttentionMask.none, .causal]) func attentionThroughFlashKernels(_ mask: AttentionMask) {
        let harness = LayerHarness()
        let layer = AttentionLayer("attention", width: 5, heads: 2, headDimension: 3, length: 67, mask: mask, batch: 2,
                                   parameters: harness.parameters, path: .flash)
        checkLayer(harness: harness, inputCount: 670, outputCount: 670,
                   forward: { layer.forward($0, batch: 2, $1) }, backward: { layer.backward($0, batch: 2, $1) },
                   reference: { layer.reference($0, batch: 2, parameters: $1) })
    }

    /// The GEMM path at N = 67 (a full and a 3-row block of queries) and N = 7 (one ragged block).
    @Test(arguments: [(AttentionMask.none, 67), (.causal, 67), (.slidingWindow(5), 67), (.causal, 7)])
    func attentionThroughMaterializedPath(_ mask: AttentionMask, _ length: Int) {
        #expect(AttentionPath.fastest(length: 67, heads: 2, batch: 2, mask: mask) == .materialized)
        let harness = LayerHarness()
        let layer = AttentionLayer("attention", width: 5, heads: 2, headDimension: 3, length: length, mask: mask, batch: 2,
                                   parameters: harness.parameters, path: .materialized)
        checkLayer(harness: harness, inputCount: 10 * length, outputCount: 10 * length,
                   forward: { layer.forward($0, batch: 2, $1) }, backward: { layer.backward($0, batch: 2, $1) },
                   reference: { layer.reference($0, batch: 2, parameters: $1) })
    }

    @Test(arguments: [(NormPlacement.pre, true), (.post, true), (.none, true), (.pre, false), (.post, false)])
    func residualUnit(_ placement: NormPlacement, _ residual: Bool) {
        let harness = LayerHarness()
        let inner = FeedForwardLayer("mlp", width: 5, hidden: 7, activation: .gelu, length: 3, batch: 3,
                                     parameters: harness.parameters)
        let unit = ResidualUnit("unit", inner: inner, placement: placement, kind: .layerNorm, residual: residual, width: 5,
                                length: 3, batch: 3, parameters: harness.parameters)
        checkLayer(harness: harness, inputCount: 45, outputCount: 45,
                   forward: { unit.forward($0, batch: 3, $1) }, backward: { unit.backward($0, batch: 3, $1) },
                   reference: { unit.reference($0, batch: 3, parameters: $1) })
    }

    @Test func crossEntropyWithIgnoredRows() {
        let (rows, classes) = (5, 7)
        let logits = randomValues(rows * classes, seed: 3).map { $0 * 3 }
        let targets: [Int32] = [2, -1, 6, 0, -1]
        let layer = SoftmaxCrossEntropyLayer(classes: classes, rows: rows)
        let scale: Float = 1.0 / 3
        let loss = logits.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { layer.forward(l.baseAddress!, targets: $0.baseAddress!, rows: rows, scale: scale) }
        }
        let reference = { (z: [Double]) in
            SoftmaxCrossEntropyLayer.reference(z, targets: targets, classes: classes, scale: Double(scale))
        }
        #expect(abs(loss - reference(logits.map(Double.init))) <= 1e-5)
        FiniteDifferenceCheck(samples: 100).compare("logits", layer.gradInput.elements) { i, delta in
            var z = logits.map(Double.init)
            z[i] += delta
            return reference(z)
        }
        #expect(layer.gradInput.elements[7..<14].allSatisfy { $0 == 0 })
    }

    @Test func meanSquaredError() {
        let predictions = randomValues(15, seed: 4), targets = randomValues(15, seed: 5)
        let layer = MeanSquaredErrorLayer(width: 3, rows: 5)
        let scale: Float = 1.0 / 15
        _ = predictions.withUnsafeBufferPointer { p in
            targets.withUnsafeBufferPointer { layer.forward(p.baseAddress!, targets: $0.baseAddress!, rows: 5, scale: scale) }
        }
        FiniteDifferenceCheck(samples: 100).compare("predictions", layer.gradInput.elements) { i, delta in
            var p = predictions.map(Double.init)
            p[i] += delta
            return MeanSquaredErrorLayer.reference(p, targets: targets, scale: Double(scale))
        }
    }
}
