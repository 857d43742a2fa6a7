import Foundation
import Kernels
import Testing
@testable import Mixers

/// The Mamba block: the Float32 fast path against the Float64 reference, its backward pass against finite
/// differences of the reference, seeded initialisation, and errors.
@Suite("Mamba block")
struct MambaTests {
    /// Fast vs reference on odd shapes, inputs N(0, 1), default sizes (d_state 16, d_conv 4, expand 2).
    /// Tolerance: max |fast − reference| ≤ 1e−5 · max |reference| (measured ≤ 5e−7).
    @Test(arguments: [1, 7, 65], [1, 17, 64])
    func forwardMatchesReference(length: Int, width: Int) throws {
        for batch in [1, 2] {
            let block = try MambaMixer(MambaConfiguration(modelWidth: width, seed: 5))
            let x = Tensor<Float>.normal([batch, length, width], seed: 9)
            let fast = try block.forward(x).output
            let reference = try MambaReference.output(
                block.configuration, parameters: block.parameters.values.converted(to: Double.self),
                input: x.converted(to: Double.self))
            let error = relativeError(fast, reference)
            #expect(error <= 1e-5, "B \(batch), N \(length), m \(width): relative error \(error)")
        }
    }

    /// ∂L/∂X (every coordinate) and ∂L/∂parameter (first, middle and last element of each of the nine
    /// tensors) against central differences (h = 1e−5, Float64) of the reference's L = Σ Y ⊙ G.
    /// Tolerance per tensor: max |fast − FD| ≤ 1e−5 · max |FD| (measured ≤ 7e−7).
    @Test(arguments: [
        ([2, 7, 5], MambaConfiguration(modelWidth: 5, seed: 3)),
        ([1, 9, 3], MambaConfiguration(modelWidth: 3, stateSize: 3, convolutionWidth: 2, expand: 3, dtRank: 2, dtMin: 0.05, dtMax: 0.5, seed: 4)),
        ([1, 130, 2], MambaConfiguration(modelWidth: 2, stateSize: 5, seed: 6)),  // three 64-token chunks
    ])
    func backwardMatchesFiniteDifferences(shape: [Int], configuration: MambaConfiguration) throws {
        let block = try MambaMixer(configuration)
        let x = Tensor<Float>.normal(shape, seed: 21)
        let gradOutput = Tensor<Float>.normal(shape, seed: 22)
        let grads = try block.backward(x, forward: try block.forward(x), gradOutput: gradOutput)
        let weights = gradOutput.converted(to: Double.self).elements
        let (input, values) = (x.converted(to: Double.self), block.parameters.values.converted(to: Double.self))
        func loss(_ input: Tensor<Double>, _ values: Tensor<Double>) throws -> Double {
            let y = try MambaReference.output(configuration, parameters: values, input: input).elements
            return zip(y, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-5
        func perturbed(_ t: Tensor<Double>, _ i: Int, _ step: Double) -> Tensor<Double> {
            var copy = t
            copy.withUnsafeMutableBufferPointer { $0[i] += step }
            return copy
        }
        func check(_ name: String, fast: [Float], numeric: [Double]) {
            let error = zip(fast, numeric).map { abs(Double($0) - $1) }.max() ?? 0
            let size = numeric.map(abs).max() ?? 0
            #expect(error <= 1e-5 * max(size, 1e-9), "\(shape) ∂\(name): error \(error), max |FD| \(size)")
        }
        let inputFD = try (0..<x.count).map { i in
            (try loss(perturbed(input, i, h), values) - loss(perturbed(input, i, -h), values)) / (2 * h)
        }
        check("X", fast: grads.input.elements, numeric: inputFD)
        let layout = MambaLayout(configuration)
        for p in MambaParameter.allCases {
            let range = layout.range(p, configuration)
            let picks = Array(Set([0, range.count / 2, range.count - 1])).sorted()
            let fast = grads.parameters[p.rawValue]!.elements
            #expect(grads.parameters[p.rawValue]!.shape == p.shape(configuration))
            let numeric = try picks.map { i in
                let flat = range.lowerBound + i
                return (try loss(input, perturbed(values, flat, h)) - loss(input, perturbed(values, flat, -h))) / (2 * h)
            }
            check(p.rawValue, fast: picks.map { fast[$0] }, numeric: numeric)
        }
    }

    @Test func sameSeedGivesIdenticalResults() throws {
        let configuration = MambaConfiguration(modelWidth: 17, seed: 42)
        let (first, second) = (try MambaMixer(configuration), try MambaMixer(configuration))
        #expect(first.parameters == second.parameters)
        let x = Tensor<Float>.normal([2, 33, 17], seed: 1)
        let (a, b) = (try first.forward(x), try second.forward(x))
        #expect(a.output == b.output)
        let dy = Tensor<Float>.normal([2, 33, 17], seed: 2)
        let (ga, gb) = (try first.backward(x, forward: a, gradOutput: dy), try second.backward(x, forward: b, gradOutput: dy))
        #expect(ga.input == gb.input)
        #expect(ga.parameters == gb.parameters)
        var other = configuration
        other.seed = 43
        #expect(try MambaMixer(other).parameters != first.parameters)
    }

    /// `mamba_simple.py`'s initialisation: softplus(dt_bias) log-uniform in [dtMin, dtMax], A = −(1…S),
    /// D = 1, projections within ±1/√fan_in.
    @Test func initialisationFollowsMambaSimple() throws {
        let c = MambaConfiguration(modelWidth: 32, seed: 7)
        let p = try MambaParameters(c)
        let dt = p[.dtBias].elements.map { MambaReference.softplus(Double($0)) }
        #expect(dt.allSatisfy { $0 >= 0.001 * (1 - 1e-5) && $0 <= 0.1 * (1 + 1e-5) })
        #expect(dt.min()! < 0.003 && dt.max()! > 0.03)
        let a = p[.aLog].elements
        for channel in 0..<c.innerWidth {
            for state in 0..<c.stateSize {
                #expect(abs(-exp(Double(a[channel * c.stateSize + state])) + Double(state + 1)) < 1e-5)
            }
        }
        #expect(p[.skip].elements.allSatisfy { $0 == 1 })
        #expect(p[.inProjection].elements.allSatisfy { abs($0) <= 1 / Float(32).squareRoot() })
        #expect(p[.dtProjection].shape == [64, 2] && p[.xProjection].shape == [2 + 32, 64])
    }

    @Test func describesStateAndCost() throws {
        let block = try MambaMixer(MambaConfiguration(modelWidth: 64))
        #expect(block.stateBytes == 4 * 128 * (16 + 3))
        #expect(block.flops(n: 1024) == Double(2 * (2 * 128 * 64 + 128 * 36 + 4 * 128 + 128 * 64) + 8 * 128 + 7 * 128 * 16))
    }

    @Test func configurationDecodesWithDefaults() throws {
        let decoded = try JSONDecoder().decode(MambaConfiguration.self, from: Data(#"{"modelWidth": 24, "seed": 3}"#.utf8))
        #expect(decoded == MambaConfiguration(modelWidth: 24, seed: 3))
        #expect(decoded.rank == 2 && decoded.innerWidth == 48)
        let roundTrip = try JSONDecoder().decode(MambaConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == decoded)
    }

    @Test(arguments: [
        MambaConfiguration(modelWidth: 0), MambaConfiguration(modelWidth: 8, stateSize: 0),
        MambaConfiguration(modelWidth: 8, convolutionWidth: 0), MambaConfiguration(modelWidth: 8, expand: 0),
        MambaConfiguration(modelWidth: 8, dtRank: 0), MambaConfiguration(modelWidth: 8, dtMin: 0),
        MambaConfiguration(modelWidth: 8, dtMin: 0.2, dtMax: 0.1), MambaConfiguration(modelWidth: 8, dtFloor: -1),
    ])
    func badConfigurationThrows(configuration: MambaConfiguration) {
        expectOneLineError { _ = try MambaMixer(configuration) }
    }

    @Test func badShapesThrow() throws {
        let block = try MambaMixer(MambaConfiguration(modelWidth: 8))
        for shape in [[8], [1, 1, 4, 8], [2, 5, 7], [0, 5, 8], [2, 0, 8]] {
            expectOneLineError { _ = try block.forward(Tensor<Float>(zeros: shape)) }
        }
        let x = Tensor<Float>.normal([2, 5, 8], seed: 1)
        let forward = try block.forward(x)
        expectOneLineError { _ = try block.backward(x, forward: forward, gradOutput: Tensor(zeros: [2, 4, 8])) }
        let shorter = Tensor<Float>.normal([2, 4, 8], seed: 1)
        expectOneLineError { _ = try block.backward(shorter, forward: forward, gradOutput: Tensor(zeros: [2, 4, 8])) }
        expectOneLineError { _ = try MambaParameters(block.configuration, values: Tensor(zeros: [5])) }
    }
}

/// Expects `body` to throw a `MixerError` whose message is one non-empty line.
func expectOneLineError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected a MixerError", sourceLocation: sourceLocation)
    } catch let error as MixerError {
        #expect(!error.description.isEmpty && !error.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a MixerError, got \(error)", sourceLocation: sourceLocation)
    }
}
