import Foundation
import Formats
import Kernels
import Models
import Testing

/// A fresh temporary directory for one test, removed by the caller's `defer`.
private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("models-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Whether two weight lists have the same names in the same order and equal tensors.
private func sameWeights(_ a: [(name: String, tensor: Tensor<Float>)], _ b: [(name: String, tensor: Tensor<Float>)]) -> Bool {
    a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor == $1.tensor }
}

@Suite("Model weights files")
struct ModelWeightsFileTests {
    /// Two layers, an MLP only in layer 0: the file must keep that structure.
    static var paperModel: PaperTransformer {
        var model = PaperTransformer.random(layers: 2, heads: 3, embedding: 5, keyDimension: 3, mlpHidden: 4, seed: 11)
        model.layers[1].mlp = nil
        return model
    }

    static var standardModel: StandardTransformer {
        .random(layers: 2, heads: 2, embedding: 6, mlpHidden: 7, causal: true, activation: .silu, seed: 12)
    }

    @Test("the paper model round-trips through a file with the documented names")
    func paperRoundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("paper.safetensors")
        let model = Self.paperModel
        try model.save(to: url)
        let file = try SafeTensorsFile.read(contentsOf: url)
        #expect(file.metadata == ["model": "paper", "layers": "2", "heads": "3", "activation": "geluTanh"])
        #expect(file.names.prefix(4) == ["layers.0.heads.0.w_q", "layers.0.heads.0.w_k", "layers.0.heads.0.w_v", "layers.0.heads.1.w_q"])
        #expect(file["layers.0.mlp.w1"]?.shape == [5, 4] && file["layers.1.mlp.w1"] == nil)
        let loaded = try PaperTransformer.load(from: url)
        #expect(sameWeights(loaded.namedWeights, model.namedWeights))
        #expect(loaded.layers[0].mlp?.activation == .geluTanh && loaded.layers[1].mlp == nil)
        let x = Tensor<Float>.normal([4, 5], seed: 13)
        #expect(try loaded.forward(x) == model.forward(x))
        #expect(throws: FormatError.self) { try model.save(to: url) }
        try model.save(to: url, overwrite: true)
    }

    @Test("the standard model round-trips, with and without final norm, LayerNorm and RMSNorm")
    func standardRoundTrip() throws {
        let rms = StandardTransformer.random(layers: 1, heads: 3, embedding: 6, normalization: .rmsNorm, finalNorm: false,
                                             epsilon: 1e-6, seed: 14)
        for model in [Self.standardModel, rms] {
            let file = try model.safeTensors()
            let loaded = try StandardTransformer(safeTensors: SafeTensorsFile.decode(SafeTensorsFile.encode(file), name: "memory"))
            #expect(sameWeights(loaded.namedWeights, model.namedWeights))
            #expect(loaded.heads == model.heads && loaded.normalization == model.normalization && loaded.causal == model.causal)
            #expect(loaded.epsilon == model.epsilon && (loaded.finalNorm == nil) == (model.finalNorm == nil))
            #expect(loaded.layers[0].mlp.activation == model.layers[0].mlp.activation)
        }
        let names = try Self.standardModel.safeTensors().names
        #expect(names.contains("layers.1.norm2.bias") && names.contains("layers.0.attention.w_o") && names.last == "final_norm.bias")
        #expect(try rms.safeTensors().names.allSatisfy { !$0.hasSuffix(".bias") || $0.contains("mlp") })
    }

    @Test("float64 files load, converted to float32")
    func float64File() throws {
        var file = try Self.paperModel.safeTensors()
        for (name, array) in file.tensors { file[name] = NDArray(shape: array.shape, doubles: array.doubles()) }
        #expect(sameWeights(try PaperTransformer(safeTensors: file).namedWeights, Self.paperModel.namedWeights))
    }

    @Test("missing, extra, misshapen and mistyped tensors are errors naming the tensor")
    func corruptTensors() throws {
        let good = try Self.paperModel.safeTensors()
        func load(_ change: (inout SafeTensors) -> Void) throws {
            var file = good
            change(&file)
            _ = try PaperTransformer(safeTensors: file)
        }
        #expect(throws: ModelError.missingTensor("layers.1.heads.2.w_v")) { try load { $0["layers.1.heads.2.w_v"] = nil } }
        #expect(throws: ModelError.missingTensor("layers.0.mlp.b2")) { try load { $0["layers.0.mlp.b2"] = nil } }
        #expect(throws: ModelError.unexpectedTensor("layers.2.heads.0.w_q")) {
            try load { $0["layers.2.heads.0.w_q"] = $0["layers.0.heads.0.w_q"] }
        }
        #expect(throws: ModelError.weightShape(name: "layers.1.heads.0.w_k", expected: [5, 3], actual: [3, 5])) {
            try load { $0["layers.1.heads.0.w_k"] = NDArray(shape: [3, 5], floats: [Float](repeating: 0, count: 15)) }
        }
        // Layer 1 written for embedding 6 while layer 0 has 5.
        #expect(throws: ModelError.weightShape(name: "layers.1.heads.0.w_q", expected: [5, 3], actual: [6, 3])) {
            try load { file in
                let wider = PaperTransformer.random(layers: 2, heads: 3, embedding: 6, keyDimension: 3, mlpHidden: nil, seed: 1)
                for (name, tensor) in wider.namedWeights where name.hasPrefix("layers.1.") {
                    file[name] = NDArray(shape: tensor.shape, floats: tensor.elements)
                }
            }
        }
        #expect(throws: ModelError.tensorType(name: "layers.0.mlp.b1", dtype: "int32")) {
            try load { $0["layers.0.mlp.b1"] = NDArray(shape: [4], int32s: [1, 2, 3, 4]) }
        }
        let standard = try Self.standardModel.safeTensors()
        var extra = standard
        extra["layers.0.attention.b_q"] = NDArray(shape: [6], floats: [Float](repeating: 0, count: 6))
        #expect(throws: ModelError.unexpectedTensor("layers.0.attention.b_q")) { try StandardTransformer(safeTensors: extra) }
        var missing = standard
        missing["final_norm.weight"] = nil
        #expect(throws: ModelError.missingTensor("final_norm.weight")) { try StandardTransformer(safeTensors: missing) }
    }

    @Test("bad metadata is an error naming the key")
    func corruptMetadata() throws {
        let paper = try Self.paperModel.safeTensors()
        func loadPaper(_ metadata: [String: String?]) throws {
            var file = paper
            for (key, value) in metadata { file.metadata[key] = value }
            _ = try PaperTransformer(safeTensors: file)
        }
        #expect(throws: ModelError.metadata(key: "model", value: "standard", expected: "\"paper\"")) { try loadPaper(["model": "standard"]) }
        #expect(throws: ModelError.metadata(key: "heads", value: nil, expected: "a positive integer")) { try loadPaper(["heads": nil]) }
        #expect(throws: ModelError.metadata(key: "layers", value: "0", expected: "a positive integer")) { try loadPaper(["layers": "0"]) }
        #expect(throws: ModelError.metadata(key: "activation", value: "relu", expected: "one of geluTanh, geluErf, silu")) {
            try loadPaper(["activation": "relu"])
        }
        var standard = try Self.standardModel.safeTensors()
        standard.metadata["norm"] = "batchnorm"
        #expect(throws: ModelError.metadata(key: "norm", value: "batchnorm", expected: "layernorm or rmsnorm")) {
            try StandardTransformer(safeTensors: standard)
        }
        #expect(throws: ModelError.metadata(key: "model", value: "paper", expected: "\"standard\"")) {
            try StandardTransformer(safeTensors: paper)
        }
    }

    @Test("a truncated file is a format error")
    func truncatedFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("standard.safetensors")
        try Self.standardModel.save(to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 10).write(to: url)
        #expect(throws: FormatError.self) { try StandardTransformer.load(from: url) }
    }
}
