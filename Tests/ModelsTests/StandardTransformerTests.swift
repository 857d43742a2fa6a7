import Kernels
import Models
import Testing

/// One standard-transformer configuration with a seeded model, input and output gradient.
struct StandardCase: CustomTestStringConvertible, Sendable {
    var layers: Int, heads: Int, sequence: Int, embedding: Int
    var mlpHidden: Int? = nil
    var normalization: Normalization = .layerNorm
    var causal = false
    var finalNorm = true
    var activation: Activation = .geluTanh
    var batch: Int? = nil
    var seed: UInt64 = 1

    var testDescription: String {
        "L=\(layers) H=\(heads) N=\(sequence) m=\(embedding) \(normalization)\(causal ? " causal" : "")"
            + "\(finalNorm ? " final-norm" : "") \(activation) B=\(batch.map(String.init) ?? "-")"
    }

    var model: StandardTransformer {
        .random(layers: layers, heads: heads, embedding: embedding, mlpHidden: mlpHidden, normalization: normalization,
                causal: causal, finalNorm: finalNorm, activation: activation, seed: seed)
    }

    var inputShape: [Int] { (batch.map { [$0] } ?? []) + [sequence, embedding] }
    var input: Tensor<Float> { .normal(inputShape, seed: seed + 100) }
    var gradOutput: Tensor<Float> { .normal(inputShape, seed: seed + 200) }
}

@Suite("Standard transformer")
struct StandardTransformerTests {
    static let cases: [StandardCase] = [
        StandardCase(layers: 1, heads: 1, sequence: 7, embedding: 5),
        StandardCase(layers: 2, heads: 3, sequence: 17, embedding: 12, causal: true),
        StandardCase(layers: 2, heads: 2, sequence: 7, embedding: 6, mlpHidden: 9, normalization: .rmsNorm, finalNorm: false,
                     activation: .silu, batch: 2),
        StandardCase(layers: 1, heads: 3, sequence: 5, embedding: 9, normalization: .rmsNorm, causal: true,
                     activation: .geluErf, batch: 1),
    ]

    @Test("fp32 forward matches the Float64 reference", arguments: cases)
    func forwardMatchesReference(_ config: StandardCase) throws {
        let model = config.model
        try expectForwardMatchesReference(model, StandardTransformerReference(model), input: config.input)
    }

    @Test("gradients of the input and every weight match finite differences", arguments: cases)
    func gradientsMatchFiniteDifferences(_ config: StandardCase) throws {
        let model = config.model
        try expectGradientsMatchFiniteDifferences(model, StandardTransformerReference(model), input: config.input, gradOutput: config.gradOutput)
    }

    @Test("a causal model's output at token i does not depend on later tokens")
    func causalIgnoresTheFuture() throws {
        let model = StandardTransformer.random(layers: 2, heads: 2, embedding: 8, causal: true, seed: 5)
        let x = Tensor<Float>.normal([9, 8], seed: 6)
        var changed = x
        changed[8, 0] += 1  // one coordinate: a shift of the whole row would vanish in the norms
        let (a, b) = (try model.forward(x), try model.forward(changed))
        #expect(maxAbsDifference(a.rows(0..<8), b.rows(0..<8).converted(to: Double.self)) <= 1e-6)
        #expect(maxAbsDifference(a.rows(8..<9), b.rows(8..<9).converted(to: Double.self)) > 1e-3)
    }

    @Test("heads that do not divide m, misshapen weights and a bias on RMSNorm are typed errors")
    func invalidModels() throws {
        var model = StandardTransformer.random(layers: 2, heads: 2, embedding: 6, seed: 7)
        model.heads = 4
        #expect(throws: ModelError.unsupportedSize(name: "heads H", value: 4, allowed: "a divisor of the embedding 6")) {
            try model.forward(Tensor(zeros: [3, 6]))
        }
        model.heads = 2
        model.layers[1].attention.outputWeight = Tensor(zeros: [6, 5])
        #expect(throws: ModelError.weightShape(name: "layers.1.attention.w_o", expected: [6, 6], actual: [6, 5])) {
            try model.validate()
        }
        var rms = StandardTransformer.random(layers: 1, heads: 1, embedding: 4, normalization: .rmsNorm, seed: 8)
        rms.finalNorm?.bias = Tensor(zeros: [4])
        #expect(throws: ModelError.inconsistentLayers("final_norm.bias is set; rmsnorm has no bias")) { try rms.validate() }
        let wide = StandardTransformer.random(layers: 1, heads: 1, embedding: 300, mlpHidden: 1, seed: 9)
        #expect(throws: ModelError.unsupportedSize(name: "head dimension m/H", value: 300, allowed: "in 1…256")) {
            try wide.validate()
        }
    }
}
