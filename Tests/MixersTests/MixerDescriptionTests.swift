import Foundation
import Kernels
import Testing
@testable import Mixers

/// Descriptions: JSON round trip, defaults for missing fields, and one-line typed errors for bad ones.
@Suite("mixer descriptions and their errors")
struct MixerDescriptionTests {
    @Test func roundTripsThroughJSONAndFillsDefaults() throws {
        for description in [MixerDescription(kind: .performer, features: 64, seed: 9, scale: 0.5, causal: true, redraw: true),
                            MixerDescription(kind: .polynomial, degree: 3, bound: 1.5)] {
            let decoded = try JSONDecoder().decode(MixerDescription.self, from: JSONEncoder().encode(description))
            #expect(decoded == description)
        }
        let minimal = try JSONDecoder().decode(MixerDescription.self, from: Data(#"{"kind": "nystrom"}"#.utf8))
        #expect(minimal == MixerDescription(kind: .nystrom))
        #expect(minimal.landmarkCount == 64 && !minimal.causal && minimal.seed == 0)
    }

    @Test(arguments: [
        (MixerDescription(kind: .performer, features: 0), MixerError.invalidParameter("features must be in 1…65536, got 0")),
        (MixerDescription(kind: .linformer, features: -3), .invalidParameter("features must be in 1…65536, got -3")),
        (MixerDescription(kind: .polynomial, degree: 0), .invalidParameter("degree must be in 1…16, got 0")),
        (MixerDescription(kind: .nystrom, landmarks: 0), .invalidParameter("landmarks must be at least 1, got 0")),
        (MixerDescription(kind: .window, window: 0, causal: true), .invalidParameter("window must be in 1…2147483647, got 0")),
        (MixerDescription(kind: .window, window: -2, causal: true), .invalidParameter("window must be in 1…2147483647, got -2")),
        (MixerDescription(kind: .performer, features: 1 << 40), .invalidParameter("features must be in 1…65536, got 1099511627776")),
        (MixerDescription(kind: .polynomial, degree: 17), .invalidParameter("degree must be in 1…16, got 17")),
        (MixerDescription(kind: .polynomial, bound: -1), .invalidParameter("bound must be a finite number ≥ 0, got -1.0")),
        (MixerDescription(kind: .window, causal: true), .invalidParameter("window needs a width (window ≥ 1)")),
        (MixerDescription(kind: .linformer, causal: true),
         .unsupportedMasking("linformer is not causal: it mixes the whole sequence at once; drop causal")),
        (MixerDescription(kind: .nystrom, causal: true),
         .unsupportedMasking("nystrom is not causal: it mixes the whole sequence at once; drop causal")),
        (MixerDescription(kind: .gla), .unsupportedMasking("gla is causal by construction (each token sees only the past); pass causal")),
        (MixerDescription(kind: .exact, scale: -1), .invalidParameter("scale must be a positive finite number, got -1.0")),
    ])
    func badDescriptionsThrowOneLineErrors(description: MixerDescription, expected: MixerError) {
        #expect(throws: expected) { try description.makeMixer() }
        #expect(!expected.description.contains("\n"))
    }

    @Test func landmarksMustDivideTheLength() throws {
        let (q, k, v) = randomInputs([2, 10, 4], seed: 1)
        let mixer = try MixerDescription(kind: .nystrom, landmarks: 4).makeMixer()
        #expect(throws: MixerError.invalidParameter("landmarks 4 do not divide the sequence length N = 10")) {
            try mixer.forward(queries: q, keys: k, values: v)
        }
    }

    @Test func badShapesThrowTheAttentionErrors() throws {
        let mixer = try MixerDescription(kind: .linear).makeMixer()
        let flat = Tensor<Float>(zeros: [50, 16]), good = Tensor<Float>(zeros: [2, 50, 16])
        #expect(throws: MixerError.badRank(name: "queries", shape: [50, 16])) {
            try mixer.forward(queries: flat, keys: good, values: good)
        }
        #expect(MixerError.badRank(name: "queries", shape: [50, 16]).description
                == "queries has shape [50, 16] (rank 2); expected [H, N, D] or [B, H, N, D]")
        #expect(throws: MixerError.self) { try mixer.forward(queries: good, keys: Tensor(zeros: [2, 49, 16]), values: good) }
        let polynomial = try MixerDescription(kind: .polynomial, degree: 6).makeMixer()
        let wide = Tensor<Float>(zeros: [1, 4, 64])
        #expect(throws: MixerError.self) { try polynomial.forward(queries: wide, keys: wide, values: wide) }
    }
}
