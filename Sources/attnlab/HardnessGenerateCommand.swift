import ArgumentParser
import Formats
import Hardness

struct HardnessGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a seeded random instance as prefix.a.npy (and .b, .c as the problem needs).",
        discussion: """
            Each set is a float32 [n, d] array of 0/1. With --planted yes|no the instance has (or has no) \
            witness, checked by brute force; without --threshold the generator chooses t (printed) so the \
            optimum sits half a gap from it. Existing files are kept unless --force is given. Densities 0 and 1 \
            are refused when the instance cannot keep them (planting, or no zero rows for cosines).
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
    @Flag(help: "Replace existing files (regular, writable files only).") var force = false
    @Flag(help: "Print JSON instead of text.") var json = false

    /// The most bytes the float32 files of one instance may take together: 4 GiB.
    static let byteLimit = 1 << 32
    /// The most pairs (triples for 3-OV) brute force may check to confirm a planted answer: about a minute.
    static let checkLimit = 4e10

    func validate() throws {
        guard !output.isEmpty, !output.hasSuffix("/") else {
            throw ValidationError("--output must be a file prefix such as 'instance' or 'out/instance', got '\(output)'")
        }
        try OptionLimits.check(n, in: 1...Self.byteLimit, option: "--n")
        try OptionLimits.check(dim ?? 1, in: 1...Self.byteLimit, option: "--dim")
        try OptionLimits.check(cSize, in: 1...Self.byteLimit, option: "--c-size")
        let d = dim ?? InstanceGenerator.defaultDimension(setSize: n)
        let rows = [n, n, cSize].prefix(problem.setCount).reduce(0, +)
        guard let bytes = OptionLimits.product([4, rows, d]), bytes <= Self.byteLimit else {
            let needed = Double(rows) * Double(d) * 4
            throw ValidationError("--n \(n) --dim \(d) needs \(format(needed / 1e9, digits: 1)) GB for the float32 "
                + "files of \(problem.setCount) set(s) (\(rows) rows × \(d)) and as much memory; the limit is 4 GiB")
        }
        let checks = Double(n) * Double(n) * Double(problem == .threeOV ? cSize : 1)
        guard planted == .random || checks <= Self.checkLimit else {
            throw ValidationError("--planted \(planted.rawValue) checks the answer by brute force over "
                + "\(String(format: "%.2g", checks)) pairs or triples, more than \(String(format: "%.0g", Self.checkLimit)) "
                + "(minutes); use a smaller --n or --planted random")
        }
    }

    func run() throws {
        OutputFiles.removeTemporariesOnInterrupt()
        let paths = InstanceFiles.paths(prefix: output, problem: problem)
        let outputs = try OutputFiles(paths, force: force)
        var generator = InstanceGenerator(seed: seed)
        let instance = try withHardnessErrors {
            try generator.generate(problem, setSize: n, dimension: dim, planted: planted, density: density,
                                   threshold: threshold, thirdSetSize: cSize)
        }
        try checkDensityHonoured(instance)
        for (path, set) in zip(paths, instance.namedSets) {
            try outputs.write(InstanceFiles.npy(set.matrix), to: path)
        }
        try outputs.commit()
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

    /// Refuses an instance whose sets are not at the asked density 0 or 1: planting (or the cosine
    /// problems' rule against zero rows) had to add or remove ones, so the density was not honoured.
    private func checkDensityHonoured(_ instance: HardnessInstance) throws {
        guard density == 0 || density == 1 else { return }
        let sets = instance.namedSets.map(\.matrix)
        let ones = sets.reduce(0) { sum, set in sum + (0..<set.rows).reduce(0) { $0 + set.popcount(row: $1) } }
        let entries = sets.reduce(0) { $0 + $1.rows * $1.columns }
        let actual = Double(ones) / Double(max(entries, 1))
        guard actual != density else { return }
        throw CommandError("--density \(format(density, digits: 0)) cannot be honoured for \(problem.rawValue) with "
            + "--planted \(planted.rawValue): the instance needs density \(format(actual, digits: 3)); "
            + "choose a density strictly between 0 and 1")
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
