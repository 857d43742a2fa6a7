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
            written unless every step succeeds; existing files are kept unless --force is given.
            """)

    @Option(help: "Queries .npy, [B, H_q, N_q, D] or [H_q, N_q, D].") var queries: String
    @Option(help: "Keys .npy, [B, H_kv, N_kv, D].") var keys: String
    @Option(help: "Values .npy, same shape as the keys.") var values: String
    @Option(help: "none, causal, or window:W (causal sliding window of W keys).") var mask: MaskOption = .none
    @Option(help: "Score scale (default 1/√D).") var scale: Float?
    @Option(help: "Where to write the output .npy.") var output: String
    @Option(help: "Gradient of the loss with respect to the output (.npy, shaped like the output).") var gradOutput: String?
    @Option(help: "Where to write dQ.") var gradQueries: String?
    @Option(help: "Where to write dK.") var gradKeys: String?
    @Option(help: "Where to write dV.") var gradValues: String?
    @Flag(help: "Overwrite existing output files.") var force = false

    func validate() throws {
        let gradientPaths = [gradQueries, gradKeys, gradValues]
        if gradOutput != nil, gradientPaths.contains(where: { $0 == nil }) {
            throw ValidationError("--grad-output needs --grad-queries, --grad-keys and --grad-values")
        }
        if gradOutput == nil, gradientPaths.contains(where: { $0 != nil }) {
            throw ValidationError("--grad-queries, --grad-keys and --grad-values need --grad-output")
        }
        if let scale, !scale.isFinite { throw ValidationError("--scale must be a finite number") }
    }

    func run() throws {
        let outputs = [output] + [gradQueries, gradKeys, gradValues].compactMap { $0 }
        try ArrayFiles.checkWritable(outputs, overwrite: force)
        let (q, dtype) = try ArrayFiles.readFloatTensor(queries, role: "queries")
        let (k, _) = try ArrayFiles.readFloatTensor(keys, role: "keys")
        let (v, _) = try ArrayFiles.readFloatTensor(values, role: "values")
        let attentionMask = mask.attentionMask
        let forward: AttentionResult
        var gradients: AttentionGradients?
        do {
            forward = try scaledDotProductAttention(queries: q, keys: k, values: v, mask: attentionMask, scale: scale)
            if let gradOutput {
                let (dO, _) = try ArrayFiles.readFloatTensor(gradOutput, role: "grad-output")
                guard dO.shape == q.shape else {
                    throw CommandError("grad-output: \(gradOutput) has shape \(dO.shape); the output has shape \(q.shape)")
                }
                gradients = try scaledDotProductAttentionBackward(
                    queries: q, keys: k, values: v, forward: forward, gradOutput: dO, mask: attentionMask, scale: scale)
            }
        } catch let error as AttentionError {
            throw CommandError("\(error)")
        }
        try ArrayFiles.write(forward.output, to: output, dtype: dtype, overwrite: force)
        if let gradients, let gradQueries, let gradKeys, let gradValues {
            try ArrayFiles.write(gradients.queries, to: gradQueries, dtype: dtype, overwrite: force)
            try ArrayFiles.write(gradients.keys, to: gradKeys, dtype: dtype, overwrite: force)
            try ArrayFiles.write(gradients.values, to: gradValues, dtype: dtype, overwrite: force)
        }
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
            guard argument.hasPrefix("window:"), let w = Int(argument.dropFirst("window:".count)), w >= 1 else { return nil }
            self = .window(w)
        }
    }

    static var allValueStrings: [String] { ["none", "causal", "window:W"] }

    var attentionMask: AttentionMask {
        switch self {
        case .none: return .none
        case .causal: return .causal
        case .window(let w): return .slidingWindow(w)
        }
    }
}
