import ArgumentParser
import Formats
import Kernels
import Mixers

struct MixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "A token mixer (exact, window, linear, Based, Performer, polynomial, Linformer, Nyström, GLA, RetNet) on .npy arrays.",
        discussion: """
            Queries, keys and values are [H, N, D] or [B, H, N, D] of one shape, float32 or float64 (computed in \
            float32, written in the queries' dtype). window, gla and retnet are causal only (pass --causal); \
            linformer and nystrom are not causal. Nothing is written unless every step succeeds; an existing \
            output is kept unless --force is given.
            """)

    @Option(help: "The mixer: \(MixerKind.allCases.map(\.rawValue).joined(separator: ", ")).") var mixer: MixerKind
    @Option(help: "Queries .npy, [B, H, N, D] or [H, N, D].") var queries: String
    @Option(help: "Keys .npy, shaped like the queries.") var keys: String
    @Option(help: "Values .npy, shaped like the queries.") var values: String
    @Flag(help: "Query i sees keys j ≤ i only.") var causal = false
    @Option(help: "Multiplies q·k (default 1/√D; see the mixers' notes).") var scale: Float?
    @Option(help: "Window width W (window: keys i − W < j ≤ i).") var window: Int?
    @Option(help: "Random features (performer, default 256) or projected length k (linformer, default 256).") var features: Int?
    @Option(help: "Polynomial degree (polynomial, default 2).") var degree: Int?
    @Option(help: "Entry bound B of Q and K (polynomial: P approximates exp on [−s·D·B², s·D·B²]; default: the inputs' largest |entry|).")
    var bound: Float?
    @Option(help: "Landmarks, dividing N (nystrom, default 64).") var landmarks: Int?
    @Option(help: "Seed of the random features or projections.") var seed: UInt64 = 0
    @Option(help: "Where to write the output .npy.") var output: String
    @Flag(help: "Replace an existing output file (regular, writable files only).") var force = false
    @Flag(inversion: .prefixedNo, help: "Refuse inputs holding NaN, ±inf or values beyond float32's range, and outputs that overflow.")
    var checkFinite = true

    var descriptor: MixerDescription {
        MixerDescription(kind: mixer, features: features, degree: degree, bound: bound, window: window, landmarks: landmarks,
                         seed: seed, scale: scale, causal: causal)
    }

    func validate() throws {
        if let scale, !scale.isFinite { throw ValidationError("--scale must be a finite number") }
    }

    func run() throws {
        let token: any TokenMixer
        do {
            token = try descriptor.makeMixer()
        } catch let error as MixerError {
            throw CommandError("\(error)")
        }
        OutputFiles.removeTemporariesOnInterrupt()
        let outputs = try OutputFiles([output], inputs: [queries, keys, values], force: force)
        let (q, dtype) = try ArrayFiles.readFloatTensor(queries, role: "queries", checkFinite: checkFinite)
        let (k, _) = try ArrayFiles.readFloatTensor(keys, role: "keys", checkFinite: checkFinite)
        let (v, _) = try ArrayFiles.readFloatTensor(values, role: "values", checkFinite: checkFinite)
        let result: MixerForward
        do {
            result = try token.forward(queries: q, keys: k, values: v)
        } catch let error as MixerError {
            throw CommandError("\(error)")
        }
        if checkFinite { try ArrayFiles.checkFinite([("output", result.output)]) }
        try outputs.write(ArrayFiles.npy(result.output, dtype: dtype), to: output)
        try outputs.commit()
    }
}

extension MixerKind: ExpressibleByArgument {}
