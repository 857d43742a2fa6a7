import Foundation
import Kernels
import Testing
@testable import Mixers

/// The Alman–Song polynomial: Chebyshev P of exp on [−R, R], its features with negative coefficients (query
/// signs), the derived bound, the zero-row rule for a non-positive denominator, agreement with exact
/// softmax at the paper's 1/D scale when the entries are small, and finite outputs (or an error) when a few
/// entries are large.
@Suite("the Alman–Song polynomial mixer")
struct PolynomialMixerTests {
    @Test func chebyshevErrorShrinksWithDegreeWithinItsBound() {
        for radius in [0.25, 1.0, 3.0] {
            var previous = Double.infinity
            for degree in 1...6 {
                let p = ExpPolynomial(degree: degree, radius: radius)
                let error = p.maximumRelativeError()
                var bound = 2 * pow(radius / 2, Double(degree + 1)) * Foundation.exp(2 * radius)
                for t in 2...(degree + 1) { bound /= Double(t) }
                #expect(error <= bound * 1.0001 && error < previous, "R=\(radius) g=\(degree): \(error) vs \(bound)")
                previous = error
            }
        }
        #expect(ExpPolynomial(degree: 3, radius: 0).coefficients == [1, 0, 0, 0])
        #expect(ExpPolynomial(degree: 4, radius: 4).coefficients.contains { $0 < 0 })
    }

    @Test func approximatesExactSoftmaxAtTheOneOverDScale() throws {
        for (n, d) in [(1, 1), (17, 7), (65, 5)] {
            let shape = [1, 2, n, d]
            let (q, k, v) = (Tensor<Float>.uniform(shape, low: -1, high: 1, seed: 1), Tensor<Float>.uniform(shape, low: -1, high: 1, seed: 2),
                             Tensor<Float>.uniform(shape, low: -1, high: 1, seed: 3))
            let scale = 1 / Float(d)
            let polynomial = try MixerDescription(kind: .polynomial, degree: 6, bound: 1, scale: scale).makeMixer()
            let exact = try MixerDescription(kind: .exact, scale: scale).makeMixer()
            let difference = zip(try polynomial.forward(queries: q, keys: k, values: v).output.elements,
                                 try exact.forward(queries: q, keys: k, values: v).output.elements).map { abs($0 - $1) }.max() ?? 0
            #expect(difference <= 1e-4, "N=\(n) D=\(d): \(difference)")
        }
    }

    @Test func derivedBoundIsTheLargestEntryOfQueriesAndKeys() throws {
        let (q, k, v) = randomInputs([1, 1, 9, 4], seed: 5)
        let largest = max(q.elements.map(abs).max()!, k.elements.map(abs).max()!)
        let derived = try MixerDescription(kind: .polynomial, degree: 3, scale: 0.02).makeMixer()
        let given = try MixerDescription(kind: .polynomial, degree: 3, bound: largest, scale: 0.02).makeMixer()
        #expect(try derived.forward(queries: q, keys: k, values: v).output == given.forward(queries: q, keys: k, values: v).output)
        let reference = try MixerReference.output(MixerDescription(kind: .polynomial, degree: 3, scale: 0.02),
                                                  queries: q.converted(), keys: k.converted(), values: v.converted())
        #expect(relativeError(try derived.forward(queries: q, keys: k, values: v).output, reference) <= 2e-5)
    }

    @Test func nonPositiveDenominatorGivesAZeroRow() throws {
        // D = 1, s = 1, B = 1: P(x) = c₀ + c₁x with c₀, c₁ > 0, negative for x < −c₀/c₁ ≈ −1.17.
        let q = Tensor<Float>(shape: [1, 2, 1], elements: [-10, 0.5])
        let k = Tensor<Float>(shape: [1, 2, 1], elements: [1, 0.5])
        let v = Tensor<Float>(shape: [1, 2, 1], elements: [3, -2])
        let description = MixerDescription(kind: .polynomial, degree: 1, bound: 1, scale: 1)
        let output = try description.makeMixer().forward(queries: q, keys: k, values: v).output
        let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(), values: v.converted())
        #expect(output.elements[0] == 0 && reference.elements[0] == 0)
        #expect(abs(Double(output.elements[1]) - reference.elements[1]) <= 1e-5 && output.elements[1] != 0)
    }

    /// Degree 4 on R = s·D·B² ≈ 4.06 has a negative coefficient (c₁), so the query features carry signs.
    @Test func gradientsWithNegativeCoefficientsAgreeWithFiniteDifferences() throws {
        #expect(ExpPolynomial(degree: 4, radius: ExpPolynomial.radius(bound: 2.6, scale: 0.2, headDimension: 3))
            .coefficients.contains { $0 < 0 })
        for causal in [false, true] {
            try checkGradients(MixerDescription(kind: .polynomial, degree: 4, bound: 2.6, scale: 0.2, causal: causal),
                               shape: [1, 2, 7, 3])
        }
    }

    /// Gaussian inputs plus one query–key pair of entries 7 (a far matching key, as in mixer-fidelity's
    /// retrieval inputs): the derived B = 7 gives R = s·D·B² = 196 at D = 16, where P's own coefficients
    /// (c₀ ≈ e^138 at g = 1) overflow float32 and the unnormalised features gave inf/NaN.
    static func largeEntryInputs(length n: Int) -> (Tensor<Float>, Tensor<Float>, Tensor<Float>) {
        let (q, k, v) = randomInputs([1, 1, n, 16], seed: 7)
        var (queries, keys) = (q.elements, k.elements)
        for c in 0..<16 {
            queries[c] = 7
            keys[(n / 2) * 16 + c] = 7
        }
        return (Tensor(shape: q.shape, elements: queries), Tensor(shape: k.shape, elements: keys), v)
    }

    @Test func largeEntriesGiveFiniteOutputsThatAgreeWithTheReference() throws {
        #expect(ExpPolynomial(degree: 1, radius: 196).coefficients[0] > Double(Float.greatestFiniteMagnitude))
        for n in [7, 65] {
            let (q, k, v) = Self.largeEntryInputs(length: n)
            for degree in [1, 2, 4] {
                let description = MixerDescription(kind: .polynomial, degree: degree)
                let output = try description.makeMixer().forward(queries: q, keys: k, values: v).output
                #expect(output.elements.allSatisfy { $0.isFinite }, "N=\(n) g=\(degree)")
                // At g = 1, P = c₀ + c₁x is positive on every score here, so the rows are well conditioned.
                if degree == 1 {
                    let reference = try MixerReference.output(description, queries: q.converted(), keys: k.converted(),
                                                              values: v.converted())
                    #expect(relativeError(output, reference) <= 1e-5, "N=\(n)")
                }
            }
        }
    }

    @Test func normalisedCoefficientsStayFiniteAtAnyRadius() {
        for radius in [1e-6, 3, 196, 1e4, 1e9] {
            let p = ExpPolynomial(degree: 6, radius: radius)
            #expect(p.unitCoefficients.allSatisfy { $0.isFinite } && p.unitCoefficients.map(abs).max() == 1, "R=\(radius)")
            #expect(p.normalized(radius).isFinite && p.logScale.isFinite)
        }
    }

    @Test func boundFarBelowTheEntriesThrowsInsteadOfReturningInfinities() throws {
        let (q, k, v) = randomInputs([1, 1, 9, 16], seed: 3)
        let mixer = try MixerDescription(kind: .polynomial, degree: 4, bound: 1e-7).makeMixer()
        #expect {
            try mixer.forward(queries: q, keys: k, values: v)
        } throws: { error in
            "\(error)".hasPrefix("polynomial output overflowed float32 at R = ")
        }
        let infinite = Tensor<Float>(shape: [1, 1, 1], elements: [.infinity])
        #expect(throws: MixerError.invalidParameter("polynomial needs finite queries and keys; the largest |entry| is inf")) {
            try MixerDescription(kind: .polynomial).makeMixer().forward(queries: infinite, keys: infinite, values: infinite)
        }
    }
}
