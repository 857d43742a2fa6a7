import ArgumentParser
import Hardness

struct HardnessGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a seeded random instance as prefix.a.npy (and .b, .c as the problem needs).",
        discussion: """
            Each set is a float32 [n, d] array of 0/1. With --planted yes|no the instance has (or has no) \
            witness, checked by brute force; without --threshold the generator chooses t (printed) so the \
            optimum sits half a gap from it. Existing files are kept unless --force is given.
            """)

    @Argument(help: "The problem.") var problem: HardnessProblem
    @Option(help: "Vectors per set (|A| = |B| = n).") var n: Int
    @Option(help: "Dimension d (default max(4, ⌈2·log2 n⌉)).") var dim: Int?
    @Option(help: "yes, no or random.") var planted: PlantedAnswer = .random
    @Option(help: "Probability of a 1.") var density: Double = 0.5
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Threshold t (integer 0…d for inner products, real in [0, 1] for cosines).") var threshold: Double?
    @Option(name: .customLong("c-size"), help: "|C| for 3ov (= layers × heads of its transformer).") var cSize: Int = 1
    @Option(help: "Output prefix: writes <prefix>.a.npy, <prefix>.b.npy, <prefix>.c.npy.") var output: String
    @Flag(help: "Overwrite existing files.") var force = false
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let paths = InstanceFiles.paths(prefix: output, problem: problem)
        try ArrayFiles.checkWritable(paths, overwrite: force)
        var generator = InstanceGenerator(seed: seed)
        let instance = try withHardnessErrors {
            try generator.generate(problem, setSize: n, dimension: dim, planted: planted, density: density,
                                   threshold: threshold, thirdSetSize: cSize)
        }
        for (path, set) in zip(paths, instance.namedSets) {
            try InstanceFiles.write(set.matrix, to: path, overwrite: force)
        }
        let report = GenerateReport(problem: problem, n: n, dimension: instance.dimension, cSize: instance.c?.rows,
                                    threshold: instance.threshold, planted: planted, seed: seed, files: paths)
        if json {
            print(try JSONOutput.string(report))
        } else {
            print("wrote \(paths.joined(separator: ", ")): \(problem.rawValue), n = \(n), d = \(instance.dimension)"
                + (instance.c.map { ", |C| = \($0.rows)" } ?? "") + ", planted \(planted.rawValue)"
                + (instance.threshold.map { ", threshold t = \($0)" } ?? ""))
        }
    }
}

/// What `attnlab hardness generate --json` prints.
struct GenerateReport: Encodable {
    let problem: HardnessProblem
    let n: Int
    let dimension: Int
    let cSize: Int?
    let threshold: Double?
    let planted: PlantedAnswer
    let seed: UInt64
    let files: [String]

    enum CodingKeys: String, CodingKey {
        case problem, n, dimension, threshold, planted, seed, files
        case cSize = "c_size"
    }
}
