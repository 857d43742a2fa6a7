import Testing
@testable import Training

/// `TrainingModel.depthProfile`: per-sub-layer RMS of the residual stream (against the units' Float64
/// references) and of Attention Residuals (uniform α at the zero start), per-block gradient norms.
@Suite struct DepthProfileTests {
    private let task = TaskDescription.mqar(MQARTask(vocabulary: 11, length: 9, pairs: 2, trainSamples: 10, validationSamples: 2))

    private func profiled(_ residuals: AttentionResidualsDescription?) throws -> (TrainingModel, DepthProfile) {
        var description = task.defaultModel(layers: 3, heads: 1, width: 5)
        description.mlpHidden = 3
        description.attentionResiduals = residuals
        let model = try TrainingModel(description, batchSize: 4, shards: 2, seed: 3)
        let data = try task.prepare(seed: 9)
        let batch = model.makeBatch()
        for slot in 0..<4 { data.fill(batch, slot: slot, split: .training, index: slot) }
        batch.count = 4
        return (model, model.depthProfile(batch, threads: 2))
    }

    @Test func residualStreamMatchesTheUnitsReferences() throws {
        let (model, profile) = try profiled(nil)
        let p = model.parameters.flatValues.map(Double.init), m = model.description.width, n = model.description.sequenceLength
        var hidden = [Double](repeating: 0, count: 6), output = hidden, rows = 0
        model.inspectLastForward { network, examples in
            let stack = try! #require(network.blocks as? SequentialBlocks)
            var x = UnsafeBufferPointer(start: network.stackInput!, count: examples.count * n * m).map(Double.init)
            for (l, unit) in stack.units.enumerated() {
                let y = unit.reference(x, batch: examples.count, parameters: p)
                hidden[l] += x.reduce(0) { $0 + $1 * $1 }
                output[l] += zip(y, x).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                x = y
            }
            rows += examples.count * n
        }
        for (measured, expected) in zip(profile.hiddenRMS + profile.outputRMS, (hidden + output).map { ($0 / Double(rows * m)).squareRoot() }) {
            #expect(abs(measured - expected) <= 1e-4 * expected, "RMS \(measured), reference \(expected)")
        }
        #expect(profile.hiddenRMS.count == 6 && profile.mixing.isEmpty)
        #expect(profile.layerGradientNorms.count == 3 && profile.layerGradientNorms.allSatisfy { $0 > 0 && $0.isFinite })
    }

    /// The queries start at zero, so every consumer mixes its sources uniformly; the zero queries draw
    /// nothing from the generator, so the first sub-layer sees and adds exactly what the baseline's does.
    @Test(arguments: [AttentionResidualsDescription.full, .block(size: 2)])
    func attentionResidualsStartUniform(_ mode: AttentionResidualsDescription) throws {
        let (_, profile) = try profiled(mode)
        let (_, baseline) = try profiled(nil)
        #expect(profile.mixing.count == 6)
        for (index, row) in profile.mixing.enumerated() {
            let sources = AttentionResidualBlocks.sourceIndices(index + 2, blockSize: mode.blockSize)
            for (i, alpha) in row.enumerated() {
                #expect(abs(alpha - (sources.contains(i) ? 1 / Double(sources.count) : 0)) <= 1e-6)
            }
        }
        #expect(abs(profile.hiddenRMS[0] - baseline.hiddenRMS[0]) <= 1e-6 * baseline.hiddenRMS[0])
        #expect(abs(profile.outputRMS[0] - baseline.outputRMS[0]) <= 1e-5 * baseline.outputRMS[0])
        #expect(profile.layerGradientNorms.count == 3 && profile.layerGradientNorms.allSatisfy { $0 > 0 && $0.isFinite })
    }
}
