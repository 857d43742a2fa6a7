import Foundation
import Kernels

/// Where Float32 stops being enough for each construction: every instance of a `PrecisionStudyCase` runs
/// through its construction in Float32 (our engine) and Float64 (`ReferenceAttention.forward`,
/// `PaperTransformerReference`), and both answers are held to brute force.
///
/// What decides it: the logits are s·β·(score − t) with β = 2Δ/g, Δ = 3 ln N. fp32 rounds the tokens and
/// weights (relative 2⁻²⁴) and accumulates the score of ≤ d + 2 terms, an error of about d·2⁻²⁴·β in the
/// logit, i.e. d·2⁻²⁴ in score units, against a gap g. For inner products and 3-OV g = 1 (integer scores),
/// so fp32 is safe at any n and d the kernel takes; for cosines g shrinks with d (the closest achievable
/// cosines at d = 64 are ~1e-7 apart) and fp32 fails once g is within a small factor of d·2⁻²⁴.
public enum PrecisionStudy {
    /// Runs `cases` with seeded instances; each row is one case. Cost: the Float64 runs dominate,
    /// O(N²·m) time and O(N²) memory per head.
    public static func run(_ cases: [PrecisionStudyCase] = PrecisionStudyCase.defaultCases, seed: UInt64 = 1,
                           threads: Int = Parallelism.defaultThreads) throws -> [PrecisionStudyRow] {
        var generator = InstanceGenerator(seed: seed)
        return try cases.map { studyCase in
            let instances = try studyCase.kind == .closestCosines
                ? closestCosineInstances(studyCase.problem, dimension: studyCase.dimension ?? 16)
                : (0..<studyCase.instances).map { index in
                    try generator.generate(studyCase.problem, setSize: studyCase.setSize, dimension: studyCase.dimension,
                                           planted: index % 2 == 0 ? .yes : .no, density: 0.5,
                                           thirdSetSize: studyCase.thirdSetSize, verify: false)
                }
            var beta = 0.0, gap = Double.infinity
            var margins: [ConstructionPrecision: Double] = [.float32: .infinity, .float64: .infinity]
            var wrong: [ConstructionPrecision: Int] = [.float32: 0, .float64: 0]
            var defaults = Set<ConstructionPrecision>()
            for instance in instances {
                let expected = try BruteForce.solve(instance, threads: threads).answer
                let run: (ConstructionPrecision) throws -> ConstructionResult
                if instance.problem == .threeOV {
                    let construction = try ThreeOVConstruction(instance, layers: 1, heads: instance.c!.rows)
                    (beta, gap) = (max(beta, construction.beta), 1)
                    defaults.insert(.float32)
                    run = { try construction.run(precision: $0, threads: threads) }
                } else {
                    let construction = try PairConstruction(instance)
                    (beta, gap) = (max(beta, construction.beta), min(gap, construction.gap))
                    defaults.insert(construction.defaultPrecision)
                    run = { try construction.run(precision: $0, threads: threads) }
                }
                for precision in ConstructionPrecision.allCases {
                    let result = try run(precision)
                    let right = result.answer == expected
                    margins[precision] = min(margins[precision]!, right ? result.margin : -result.margin)
                    if !right { wrong[precision]! += 1 }
                }
            }
            return PrecisionStudyRow(
                problem: studyCase.problem, kind: studyCase.kind, setSize: instances[0].a.rows,
                dimension: instances[0].dimension, beta: beta, gap: gap, minMarginFloat32: margins[.float32]!,
                minMarginFloat64: margins[.float64]!, wrongFloat32: wrong[.float32]!, wrongFloat64: wrong[.float64]!,
                instances: instances.count,
                defaultPrecision: ConstructionPrecision.allCases.filter(defaults.contains).map(\.rawValue).joined(separator: ", "))
        }
    }

    /// The rows as a Markdown table: construction, instances, n, d, β, g, min margin in fp32 and fp64 (with
    /// wrong answers), verdict, and the precision `HardnessConstruction` chose by default.
    public static func markdownTable(_ rows: [PrecisionStudyRow]) -> String {
        var lines = [
            "| construction | instances | n | d | β | gap g | min margin fp32 | min margin fp64 | verdict | default |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for row in rows {
            func margin(_ value: Double, wrong: Int) -> String {
                String(format: "%.3f", value) + (wrong > 0 ? " (\(wrong) wrong)" : "")
            }
            lines.append("| \(row.problem.rawValue) | \(row.kind.rawValue) × \(row.instances) | \(row.setSize) | "
                + "\(row.dimension) | \(String(format: "%.3g", row.beta)) | \(String(format: "%.3g", row.gap)) | "
                + "\(margin(row.minMarginFloat32, wrong: row.wrongFloat32)) | "
                + "\(margin(row.minMarginFloat64, wrong: row.wrongFloat64)) | \(row.verdict) | \(row.defaultPrecision) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Two instances of a cosine problem with one pair each (n = 2, or 1 + 1 bichromatic) and the threshold
    /// at the midpoint of the two closest achievable cosines at dimension d: the pair is planted at the
    /// witness side (first instance, "yes") and at the other side ("no").
    static func closestCosineInstances(_ problem: HardnessProblem, dimension d: Int) throws -> [HardnessInstance] {
        guard problem.score == .cosine, d >= 2 else {
            throw HardnessError.invalidGeneratorParameter(name: "closest-cosines case", value: "\(problem.rawValue), d = \(d)",
                                                          rule: "needs a cosine problem and d ≥ 2")
        }
        let (low, high) = closestAchievableCosines(dimension: d)
        guard let t = midpointThreshold(low.cosine, high.cosine) else {
            throw HardnessError.cannotPlant(problem: problem, reason: "cosines \(low.cosine) and \(high.cosine) at "
                + "d = \(d) have no Double threshold between them")
        }
        let witnessSide = problem.comparison == .atLeast ? [high, low] : [low, high]
        return witnessSide.map { pair in
            // a = ones at 0..<pa, b = ones at pa − ip ..< pa − ip + pb: they share exactly ip columns.
            let a = BinaryMatrix(rows: 1, columns: d) { _, q in q < pair.pa }
            let b = BinaryMatrix(rows: 1, columns: d) { _, q in q >= pair.pa - pair.ip && q < pair.pa - pair.ip + pair.pb }
            if problem.isMonochromatic {
                let both = BinaryMatrix(rows: 2, columns: d) { i, q in i == 0 ? a[0, q] : b[0, q] }
                return HardnessInstance(problem: problem, a: both, threshold: t)
            }
            return HardnessInstance(problem: problem, a: a, b: b, threshold: t)
        }
    }

    /// A pair of popcounts (pa ≤ pb) sharing ip ones, and its cosine.
    struct CosinePair {
        let ip: Int, pa: Int, pb: Int
        var cosine: Cosine { Cosine(innerProduct: ip, normProduct: pa * pb) }
    }

    /// The two closest distinct cosines ip/√(pa·pb) of 0/1 vectors at dimension d (pa + pb − ip ≤ d).
    /// Cost O(d³ log d).
    static func closestAchievableCosines(dimension d: Int) -> (low: CosinePair, high: CosinePair) {
        precondition(d >= 2, "at d = 1 every cosine is 1")
        var pairs: [(value: Double, pair: CosinePair)] = []
        for pa in stride(from: 1, through: d, by: 1) {
            for pb in pa...d {
                for ip in max(0, pa + pb - d)...pa {
                    let pair = CosinePair(ip: ip, pa: pa, pb: pb)
                    pairs.append((pair.cosine.value, pair))
                }
            }
        }
        pairs.sort { $0.value < $1.value }
        var best: (low: CosinePair, high: CosinePair, distance: Double)?
        var low = pairs[0]
        for next in pairs.dropFirst() where low.pair.cosine < next.pair.cosine {
            let distance = next.value - low.value
            if distance < best?.distance ?? .infinity { best = (low.pair, next.pair, distance) }
            low = next
        }
        return (best!.low, best!.high)
    }
}
