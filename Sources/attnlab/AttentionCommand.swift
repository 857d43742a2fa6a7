import ArgumentParser
import Attention
import Formats
import Kernels

struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Exact attention on .npy arrays: output, and with --grad-output the gradients.",
        discussion: """
            Arrays are [H, N, D] or [B, H, N, D], float32 or float64 (computed in float32, written in the \
            queries' dtype). Keys and values may have fewer heads than queries (grouped-query). Nothing is \
            written unless every step succeeds; existing files are kept unless --force is given, which \
            replaces regular, writable files only and never an input. Inputs with NaN or ±inf are refused \
            unless --no-check-finite is given. --depth-keys/--depth-values add MoDA depth slots, [H, N, S, D] or \
            [B, H, N, S, D] with the queries' B, H, N and D: each query also attends, in the same softmax and \
            under any --mask, to its own S slots.
            """)

    @Option(help: "Queries .npy, [B, H_q, N_q, D] or [H_q, N_q, D].") var queries: String
    @Option(help: "Keys .npy, [B, H_kv, N_kv, D].") var keys: String
    @Option(help: "Values .npy, same shape as the keys.") var values: String
    @Option(help: "MoDA depth keys .npy, [B, H_q, N_q, S, D] or [H_q, N_q, S, D]: S slots per query token.") var depthKeys: String?
    @Option(help: "MoDA depth values .npy, same shape as the depth keys.") var depthValues: String?
    @Option(help: "none, causal, or window:W (causal sliding window of W keys).") var mask: MaskOption = .none
    @Option(help: "Score scale (default 1/√D).") var scale: Float?
    @Option(help: "Where to write the output .npy.") var output: String
    @Option(help: "Gradient of the loss with respect to the output (.npy, shaped like the output).") var gradOutput: String?
    @Option(help: "Where to write dQ.") var gradQueries: String?
    @Option(help: "Where to write dK.") var gradKeys: String?
    @Option(help: "Where to write dV.") var gradValues: String?
    @Option(help: "Where to write the gradient of the depth keys (with --depth-keys and --grad-output).") var gradDepthKeys: String?
    @Option(help: "Where to write the gradient of the depth values (with --depth-values and --grad-output).") var gradDepthValues: String?
    @Flag(help: "Replace existing output files (regular, writable files only).") var force = false
    @Flag(inversion: .prefixedNo, help: "Refuse inputs holding NaN, ±inf or values beyond float32's range, and results that overflow.")
    var checkFinite = true

    func validate() throws {
        let gradientPaths = [gradQueries, gradKeys, gradValues]
        if gradOutput != nil, gradientPaths.contains(where: { $0 == nil }) {
            throw ValidationError("--grad-output needs --grad-queries, --grad-keys and --grad-values")
        }
        if gradOutput == nil, gradientPaths.contains(where: { $0 != nil }) {
            throw ValidationError("--grad-queries, --grad-keys and --grad-values need --grad-output")
        }
        if let scale, !scale.isFinite { throw ValidationError("--scale must be a finite float32 number") }
        try validateDepthOptions()
    }

    /// Depth slots come as a pair; their gradients are written exactly when there are slots and --grad-output.
    private func validateDepthOptions() throws {
        if (depthKeys == nil) != (depthValues == nil) {
            throw ValidationError("--depth-keys and --depth-values must be given together")
        }
        let depthGradients = [gradDepthKeys, gradDepthValues]
        if depthKeys == nil, depthGradients.contains(where: { $0 != nil }) {
            throw ValidationError("--grad-depth-keys and --grad-depth-values need --depth-keys and --depth-values")
        }
        if depthKeys != nil, gradOutput != nil, depthGradients.contains(where: { $0 == nil }) {
            throw ValidationError("--grad-output with depth slots needs --grad-depth-keys and --grad-depth-values")
        }
        if gradOutput == nil, depthGradients.contains(where: { $0 != nil }) {
            throw ValidationError("--grad-depth-keys and --grad-depth-values need --grad-output")
        }
    }

    func run() throws {
        OutputFiles.removeTemporariesOnInterrupt()
        let outputs = try OutputFiles(
            [output] + [gradQueries, gradKeys, gradValues, gradDepthKeys, gradDepthValues].compactMap { $0 },
            inputs: [queries, keys, values] + [gradOutput, depthKeys, depthValues].compactMap { $0 }, force: force)
        let (q, dtype) = try ArrayFiles.readFloatTensor(queries, role: "queries", checkFinite: checkFinite)
        let (k, _) = try ArrayFiles.readFloatTensor(keys, role: "keys", checkFinite: checkFinite)
        let (v, _) = try ArrayFiles.readFloatTensor(values, role: "values", checkFinite: checkFinite)
        let dO = try gradOutput.map { try ArrayFiles.readFloatTensor($0, role: "grad-output", checkFinite: checkFinite).tensor }
        let depth = try readDepthSlots()
        if checkFinite {
            try ScoreRange.check(queries: q, keys: k, scale: scale)
            if let depth { try ScoreRange.check(queries: q, keys: depth.keys, scale: scale) }
        }
        let attentionMask = mask.attentionMask
        var results: [(name: String, path: String, tensor: Tensor<Float>)] = []
        do {
            let forward = try scaledDotProductAttention(
                queries: q, keys: k, values: v, depth: depth, mask: attentionMask, scale: scale)
            results.append(("output", output, forward.output))
            if let dO, let gradOutput, let gradQueries, let gradKeys, let gradValues {
                guard dO.shape == q.shape else {
                    throw CommandError("grad-output: \(gradOutput) has shape \(dO.shape); the output has shape \(q.shape)")
                }
                let gradients = try scaledDotProductAttentionBackward(
                    queries: q, keys: k, values: v, depth: depth, forward: forward, gradOutput: dO, mask: attentionMask,
                    scale: scale)
                results += [("gradient of the queries", gradQueries, gradients.queries),
                            ("gradient of the keys", gradKeys, gradients.keys),
                            ("gradient of the values", gradValues, gradients.values)]
                if let gradDepthKeys, let gradDepthValues, let depthKeys = gradients.depthKeys,
                   let depthValues = gradients.depthValues {
                    results += [("gradient of the depth keys", gradDepthKeys, depthKeys),
                                ("gradient of the depth values", gradDepthValues, depthValues)]
                }
            }
        } catch let error as AttentionError {
            throw CommandError("\(error)")
        }
        if checkFinite { try ArrayFiles.checkFinite(results.map { ($0.name, $0.tensor) }) }
        for result in results { try outputs.write(ArrayFiles.npy(result.tensor, dtype: dtype), to: result.path) }
        try outputs.commit()
    }

    /// The depth slots of --depth-keys/--depth-values (shapes are checked against the queries by the engine).
    private func readDepthSlots() throws -> DepthSlots? {
        guard let depthKeys, let depthValues else { return nil }
        let (dk, _) = try ArrayFiles.readFloatTensor(depthKeys, role: "depth-keys", checkFinite: checkFinite)
        let (dv, _) = try ArrayFiles.readFloatTensor(depthValues, role: "depth-values", checkFinite: checkFinite)
        return DepthSlots(keys: dk, values: dv)
    }
}

/// `--mask none|causal|window:W`.
enum MaskOption: ExpressibleByArgument, Equatable {
    case none, causal, window(Int)

    init?(argument: String) {
        switch argument {
        case "none": self = .none
        case "causal": self = .causal
        default:
            guard argument.hasPrefix("window:"), let w = Int(argument.dropFirst("window:".count)),
                  (1...Int(Int32.max)).contains(w) else { return nil }
            self = .window(w)
        }
    }

    static var allValueStrings: [String] { ["none", "causal", "window:W (1 ≤ W ≤ 2147483647)"] }

    var attentionMask: AttentionMask {
        switch self {
        case .none: return .none
        case .causal: return .causal
        case .window(let w): return .slidingWindow(w)
        }
    }
}
