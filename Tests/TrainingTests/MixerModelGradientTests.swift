import Foundation
import Testing
@testable import Training

/// Whole models with every mixer of the model builder: fp32 gradients (two replicas) against finite
/// differences of the Float64 reference loss, on odd tiny sizes; causal mixers on MQAR, the non-causal
/// ones (Linformer, Nyström) on D-retrieval.
@Suite struct MixerModelGradientTests {
    private func check(_ description: ModelDescription, task: TaskDescription, batch: Int = 3,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        try checkModelGradients(description, task: task, batch: batch, samples: 6, sourceLocation: sourceLocation)
    }

    private func recallModel(_ mixer: MixerChoice, width: Int = 9, heads: Int = 3) -> (ModelDescription, TaskDescription) {
        let task = TaskDescription.mqar(MQARTask(vocabulary: 11, length: 9, pairs: 2, trainSamples: 8, validationSamples: 2))
        var model = task.defaultModel(layers: 2, heads: heads, width: width, mixer: mixer)
        model.headDimension = width / heads
        model.mlpHidden = 5
        return (model, task)
    }

    @Test(arguments: [MixerChoice.linear, .based, .gla, .retnet, .performer(features: 5), .polynomial(degree: 2)])
    func causalTokenMixerOnRecall(_ mixer: MixerChoice) throws {
        let (model, task) = recallModel(mixer)
        try check(model, task: task)
    }

    @Test func mambaOnRecall() throws {
        let (model, task) = recallModel(.mamba(stateSize: 3), width: 7, heads: 1)
        try check(model, task: task)
    }

    @Test(arguments: [MixerChoice.linformer(projected: 3), .nystrom(landmarks: 3)])
    func nonCausalMixerOnRetrieval(_ mixer: MixerChoice) throws {
        let task = DRetrievalTask(length: 5, targets: 2, trainSamples: 8, validationSamples: 2)
        var model = ModelDescription.dRetrieval(heads: 2, length: 5, headDimension: 3, hidden: 7)
        model.mixer = mixer
        try check(model, task: .dRetrieval(task))
    }
}

/// Names, JSON and the checks that reject a mixer that does not fit the model.
@Suite struct MixerChoiceTests {
    @Test func parsesNamesAndSizes() {
        #expect(MixerChoice(argument: "gla") == .gla)
        #expect(MixerChoice(argument: "mamba") == .mamba(stateSize: 16))
        #expect(MixerChoice(argument: "mamba:4") == .mamba(stateSize: 4))
        #expect(MixerChoice(argument: "linformer:7") == .linformer(projected: 7))
        #expect(MixerChoice(argument: "window:3") == .window(3))
        #expect(MixerChoice(argument: "window") == nil)
        #expect(MixerChoice(argument: "gla:2") == nil)
        #expect(MixerChoice(argument: "mamba:x") == nil)
        #expect(MixerChoice(argument: "hyena") == nil)
    }

    @Test(arguments: [MixerChoice.exact, .window(5), .linear, .based, .gla, .retnet, .performer(features: 9),
                      .polynomial(degree: 3), .linformer(projected: 4), .nystrom(landmarks: 2), .mamba(stateSize: 8)])
    func roundTripsThroughJSONAndText(_ mixer: MixerChoice) throws {
        let data = try JSONEncoder().encode(mixer)
        #expect(try JSONDecoder().decode(MixerChoice.self, from: data) == mixer)
        #expect(MixerChoice(argument: mixer.description) == mixer)
    }

    @Test func oldCheckpointsStillDecode() throws {
        #expect(try JSONDecoder().decode(MixerChoice.self, from: Data(#"{"window":16}"#.utf8)) == .window(16))
        #expect(try JSONDecoder().decode(MixerChoice.self, from: Data(#""exact""#.utf8)) == .exact)
    }

    private func message(_ mixer: MixerChoice, task: TaskDescription) -> String? {
        do {
            try task.defaultModel(mixer: mixer).validate()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func rejectsMixersThatDoNotFitTheModel() {
        let recall = TaskDescription.mqar(MQARTask(vocabulary: 16, length: 12, pairs: 2, trainSamples: 4, validationSamples: 2))
        let retrieval = TaskDescription.dRetrieval(DRetrievalTask(length: 6, trainSamples: 4, validationSamples: 2))
        #expect(message(.linformer(projected: 4), task: recall)?.contains("not causal") == true)
        #expect(message(.nystrom(landmarks: 4), task: recall)?.contains("not causal") == true)
        #expect(message(.gla, task: retrieval)?.contains("causal only") == true)
        #expect(message(.mamba(stateSize: 4), task: retrieval)?.contains("causal only") == true)
        #expect(message(.nystrom(landmarks: 4), task: retrieval)?.contains("must divide") == true)
        #expect(message(.performer(features: 0), task: recall)?.contains("must be in") == true)
        #expect(message(.polynomial(degree: 40), task: recall) != nil)
        #expect(message(.nystrom(landmarks: 7), task: retrieval) == nil)
        #expect(message(.mamba(stateSize: 4), task: recall) == nil)
    }
}
