import ArgumentParser
import Hardness
import Kernels

struct HardnessSolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Answer an instance with the transformer of its hardness construction.",
        discussion: """
            Sets are 2-D .npy arrays of 0/1 (any dtype). The pair problems run Alman & Yu's one attention \
            unit, 3ov the paper's sum-of-heads transformer with layers × heads = |C| (default 1 × |C|). \
            The answer is read from the output rows by the threshold 1/2; margin is the distance from it in \
            units of the gap between the yes and no levels. --check also runs brute force and exits with status 1 \
            when the two answers differ.
            """)

    @Argument(help: "The problem.") var problem: HardnessProblem
    @Option(help: "Set A, [n, d].") var a: String
    @Option(help: "Set B, [n, d] (bichromatic problems and 3ov).") var b: String?
    @Option(help: "Set C, [L·H, d] (3ov).") var c: String?
    @Option(help: "Threshold t (integer 0…d for inner products, real in [0, 1] for cosines).") var threshold: Double?
    @Option(help: "Layers L of the 3ov transformer.") var layers: Int?
    @Option(help: "Heads H per layer of the 3ov transformer.") var heads: Int?
    @Option(help: "float32 (our engine) or float64 (reference); default per construction.") var precision: ConstructionPrecision?
    @Flag(help: "Also solve by brute force and report agreement.") var check = false
    @Flag(help: "Print JSON instead of text.") var json = false

    func validate() throws {
        if let layers { try OptionLimits.check(layers, in: 1...65536, option: "--layers") }
        if let heads { try OptionLimits.check(heads, in: 1...65536, option: "--heads") }
    }

    func run() throws {
        let instance = HardnessInstance(
            problem: problem, a: try InstanceFiles.read(a, role: "set A"),
            b: try b.map { try InstanceFiles.read($0, role: "set B") },
            c: try c.map { try InstanceFiles.read($0, role: "set C") }, threshold: threshold)
        let result = try withHardnessErrors {
            try HardnessConstruction.solve(instance, layers: layers, heads: heads, precision: precision)
        }
        var report = SolveReport(result: result)
        if check {
            let start = monotonicSeconds()
            let expected = try withHardnessErrors { try BruteForce.solve(instance) }
            report.bruteForceSeconds = monotonicSeconds() - start
            report.bruteForceAnswer = expected.answer
            report.bruteForceWitness = expected.witness
            report.agrees = expected.answer == result.answer
        }
        print(json ? try JSONOutput.string(report) : report.text)
        if report.agrees == false {
            throw CommandError("the transformer answered \(result.answer ? "yes" : "no") but brute force answered "
                + "\(result.answer ? "no" : "yes"): the construction is wrong on this instance")
        }
    }
}

/// What `attnlab hardness solve` prints.
struct SolveReport: Encodable {
    let result: ConstructionResult
    var bruteForceAnswer: Bool?
    var bruteForceWitness: [Int]?
    var bruteForceSeconds: Double?
    var agrees: Bool?

    enum CodingKeys: String, CodingKey {
        case answer, witness, margin, model, seconds, precision, agrees
        case bruteForceAnswer = "brute_force_answer"
        case bruteForceWitness = "brute_force_witness"
        case bruteForceSeconds = "brute_force_seconds"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(result.answer, forKey: .answer)
        try container.encode(result.witness, forKey: .witness)
        try container.encode(result.margin, forKey: .margin)
        try container.encode(result.model, forKey: .model)
        try container.encode(result.seconds, forKey: .seconds)
        try container.encode(result.precision, forKey: .precision)
        try container.encodeIfPresent(bruteForceAnswer, forKey: .bruteForceAnswer)
        if bruteForceAnswer != nil { try container.encode(bruteForceWitness, forKey: .bruteForceWitness) }
        try container.encodeIfPresent(bruteForceSeconds, forKey: .bruteForceSeconds)
        try container.encodeIfPresent(agrees, forKey: .agrees)
    }

    var text: String {
        let model = result.model
        var lines = [
            "answer:      \(result.answer ? "yes" : "no")",
            "fired rows:  \(result.witness.map { $0.map(String.init).joined(separator: ", ") } ?? "none") (of A)",
            "margin:      \(format(result.margin, digits: 3))",
            "model:       \(model.tokens) tokens, \(model.layers) layer(s) × \(model.heads) head(s), "
                + "embedding \(model.embedding), \(result.precision.rawValue)",
            "seconds:     \(format(result.seconds, digits: 4))",
        ]
        if let bruteForceAnswer, let bruteForceSeconds, let agrees {
            lines.append("brute force: \(bruteForceAnswer ? "yes" : "no")"
                + (bruteForceWitness.map { ", witness \($0)" } ?? "")
                + " in \(format(bruteForceSeconds, digits: 4)) s: \(agrees ? "agrees" : "DISAGREES")")
        }
        return lines.joined(separator: "\n")
    }
}
