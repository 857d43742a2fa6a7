import Foundation
import Kernels
import Models
import Testing

/// One paper-transformer configuration with a seeded model, input and output gradient.
struct PaperCase: CustomTestStringConvertible, Sendable {
    var layers: Int, heads: Int, sequence: Int, embedding: Int, keyDimension: Int
    var mlpHidden: Int? = nil
    var activation: Activation = .geluTanh
    var batch: Int? = nil
    var seed: UInt64 = 1

    var testDescription: String {
        "L=\(layers) H=\(heads) N=\(sequence) m=\(embedding) k=\(keyDimension) f=\(mlpHidden.map(String.init) ?? "-") "
            + "\(activation) B=\(batch.map(String.init) ?? "-")"
    }

    var model: PaperTransformer {
        var model = PaperTransformer.random(layers: layers, heads: heads, embedding: embedding, keyDimension: keyDimension,
                                            mlpHidden: mlpHidden, seed: seed)
        for l in model.layers.indices { model.layers[l].mlp?.activation = activation }
        return model
    }

    var inputShape: [Int] { (batch.map { [$0] } ?? []) + [sequence, embedding] }
    var input: Tensor<Float> { .normal(inputShape, seed: seed + 100) }
    var gradOutput: Tensor<Float> { .normal(inputShape, seed: seed + 200) }
}

@Suite("Paper transformer")
struct PaperTransformerTests {
    static let cases: [PaperCase] = [
        PaperCase(layers: 1, heads: 1, sequence: 7, embedding: 5, keyDimension: 3),
        PaperCase(layers: 2, heads: 3, sequence: 7, embedding: 5, keyDimension: 3, mlpHidden: 6),
        PaperCase(layers: 2, heads: 2, sequence: 6, embedding: 4, keyDimension: 6, mlpHidden: 5, activation: .silu, batch: 2),
        PaperCase(layers: 1, heads: 3, sequence: 17, embedding: 12, keyDimension: 12, mlpHidden: 9, activation: .geluErf),
        PaperCase(layers: 2, heads: 1, sequence: 9, embedding: 3, keyDimension: 1, batch: 1),
    ]

    @Test("fp32 forward matches the Float64 reference", arguments: cases)
    func forwardMatchesReference(_ config: PaperCase) throws {
        let model = config.model
        try expectForwardMatchesReference(model, PaperTransformerReference(model), input: config.input)
    }

    @Test("gradients of the input and every weight match finite differences", arguments: cases)
    func gradientsMatchFiniteDifferences(_ config: PaperCase) throws {
        let model = config.model
        try expectGradientsMatchFiniteDifferences(model, PaperTransformerReference(model), input: config.input, gradOutput: config.gradOutput)
    }

    @Test("a head computes softmax(X·W_Q·(X·W_K)ᵀ)·X·W_V with no scaling, added to the residual")
    func singleHeadByHand() throws {
        // Two tokens, m = 1, k = 1, W_Q = W_K = W_V = 1: scores x_i·x_j, no 1/√k.
        let one = Tensor<Float>(shape: [1, 1], elements: [1])
        let model = PaperTransformer(layers: [PaperLayer(heads: [PaperHead(queryWeight: one, keyWeight: one, valueWeight: one)])])
        let output = try model.forward(Tensor(shape: [2, 1], elements: [1, 2]))
        /// softmax([s0, s1])·[1, 2]
        func attended(_ s0: Double, _ s1: Double) -> Float {
            let w0 = 1 / (1 + Foundation.exp(s1 - s0))
            return Float(w0 * 1 + (1 - w0) * 2)
        }
        #expect(abs(output[0, 0] - (1 + attended(1, 2))) < 1e-6)
        #expect(abs(output[1, 0] - (2 + attended(2, 4))) < 1e-6)
    }

    @Test("sizes the attention kernel cannot take and inconsistent weights are typed errors naming the weight")
    func invalidModels() throws {
        let big = PaperTransformer.random(layers: 1, heads: 1, embedding: 257, keyDimension: 4, mlpHidden: nil, seed: 1)
        #expect(throws: ModelError.unsupportedSize(name: "embedding m (from layers.0.heads.0.w_v)", value: 257, allowed: "in 1…256")) {
            try big.forward(Tensor(zeros: [3, 257]))
        }
        var model = PaperTransformer.random(layers: 2, heads: 2, embedding: 5, keyDimension: 3, mlpHidden: 4, seed: 2)
        model.layers[1].heads[1].keyWeight = Tensor(zeros: [5, 4])
        #expect(throws: ModelError.weightShape(name: "layers.1.heads.1.w_k", expected: [5, 3], actual: [5, 4])) {
            try model.forward(Tensor(zeros: [3, 5]))
        }
        model = PaperTransformer.random(layers: 2, heads: 2, embedding: 5, keyDimension: 3, mlpHidden: 4, seed: 2)
        model.layers[0].mlp?.bias2 = Tensor(zeros: [4])
        #expect(throws: ModelError.weightShape(name: "layers.0.mlp.b2", expected: [5], actual: [4])) { try model.validate() }
        model.layers[0].mlp = nil
        model.layers[1].heads.removeLast()
        #expect(throws: ModelError.inconsistentLayers("layer 1 has 1 heads, layer 0 has 2")) { try model.validate() }
        #expect(throws: ModelError.emptyModel("no layers")) { try PaperTransformer(layers: []).validate() }
    }

    @Test("wrong input and gradient shapes are typed errors")
    func invalidInputs() throws {
        let model = PaperTransformer.random(layers: 1, heads: 2, embedding: 5, keyDimension: 3, mlpHidden: nil, seed: 3)
        for shape in [[7, 4], [5], [1, 2, 7, 5], [0, 5]] {
            #expect(throws: ModelError.self) { try model.forward(Tensor(zeros: shape)) }
        }
        let (_, cache) = try model.forwardWithCache(Tensor.normal([2, 7, 5], seed: 4))
        #expect(throws: ModelError.inputShape(name: "gradient of the output", expected: "[2, 7, 5], the output's shape",
                                              actual: [7, 5])) {
            try model.backward(cache: cache, gradOutput: Tensor(zeros: [7, 5]))
        }
    }
}
