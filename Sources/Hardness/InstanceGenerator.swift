import Foundation
import Kernels

/// What a generated instance's answer must be.
public enum PlantedAnswer: String, CaseIterable, Codable, Sendable {
    /// A witness exists (one is planted, or the threshold is set so the best pair is one).
    case yes
    /// No witness exists (made so by monotone repairs or by redrawing rows).
    case no
    /// Whatever the random draw gives.
    case random
}

/// Seeded random instances with a chosen answer. Each call of `generate` draws new vectors; the same seed
/// and the same calls give the same instances.
///
/// Every entry is 1 with probability `density`. How answers are made (t is the threshold):
/// - **OV, bichromatic OV, Min-IP_t, Max-IP_t** — yes with t given: one random pair is pushed to ⟨·,·⟩ ≤ t
///   (removing shared ones) or ≥ t (adding ones). No with t given: one pass over all pairs raises each
///   pair ≤ t to t + 1 by adding ones (or lowers each pair ≥ t to t − 1 by removing ones); adding ones
///   never lowers another inner product (removing never raises one), so after one pass no pair is a
///   witness. Where witnesses were common (low density for OV) this raises the density. Without t:
///   t = the optimum of the draw for yes, optimum ± 1 for no (the draw is repaired first when the optimum
///   is already at the end of 0…d).
/// - **MSD_t, LSD_t** — no zero rows (an all-zero drawn row gets one random 1). Yes with t given: one
///   random pair is moved one column at a time until cos ≥ t (cos ≤ t). No with t given: rows are redrawn
///   until no pair is a witness, at most 1000 times per row, else `cannotPlant`. Without t: t is the mean
///   of the draw's optimum and the nearest achievable cosine at dimension d on the far side of it, so the
///   witnesses are exactly the optimal pairs (yes) or there are none (no), each half a gap from t.
/// - **3-OV** — yes: c_k loses the columns of a_i & b_j for one random triple. No: one pass over all triples
///   sets a column of each orthogonal triple to 1 in all three rows (the column where most of them already
///   are 1), which never creates an orthogonal triple.
/// - With `.random` and no t: t = round(density²·d) for inner products, t = density for cosines (the
///   expected score of a pair).
///
/// With `verify` (the default) the brute-force solver confirms every planted answer: O(n²·d/64) for
/// pairs, O(n²·|C|·d/64) for 3-OV.
public struct InstanceGenerator: Sendable {
    var random: SeededGenerator

    public init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    /// The default dimension d = max(4, ⌈2·log2 n⌉): c·log2 n with c = 2, the regime where OV is believed
    /// to need n^(2−o(1)) time, and at least 4 so tiny n still has room for structure.
    public static func defaultDimension(setSize n: Int) -> Int {
        max(4, Int((2 * log2(Double(max(n, 1)))).rounded(.up)))
    }

    /// Redraws allowed per row when making cosine no-instances.
    static let redrawAttempts = 1000

    /// A random instance of `problem` with `n` vectors per set (|C| = `thirdSetSize` for 3-OV), dimension
    /// `dimension` (default `defaultDimension`), entries 1 with probability `density`, threshold `threshold`
    /// (chosen when nil, see the type's notes) and the answer `planted`.
    ///
    /// Throws `invalidGeneratorParameter` for n below 1 (2 for one-set problems), d < 1, a density outside
    /// [0, 1] or |C| < 1; what `validate()` throws for an invalid threshold; `cannotPlant` when the answer is
    /// impossible (e.g. Max-IP_0 "no") or redrawing fails.
    public mutating func generate(_ problem: HardnessProblem, setSize n: Int, dimension: Int? = nil,
                                  planted: PlantedAnswer = .random, density: Double = 0.5,
                                  threshold: Double? = nil, thirdSetSize: Int = 1,
                                  verify: Bool = true) throws -> HardnessInstance {
        let d = dimension ?? Self.defaultDimension(setSize: n)
        let minimumSize = problem.isMonochromatic ? 2 : 1
        guard n >= minimumSize else {
            throw HardnessError.invalidGeneratorParameter(
                name: "set size n", value: "\(n)", rule: "\(problem.rawValue) needs at least \(minimumSize)")
        }
        guard d >= 1 else {
            throw HardnessError.invalidGeneratorParameter(name: "dimension d", value: "\(d)", rule: "must be at least 1")
        }
        guard density.isFinite, (0...1).contains(density) else {
            throw HardnessError.invalidGeneratorParameter(name: "density", value: "\(density)", rule: "must be in [0, 1]")
        }
        guard problem != .threeOV || thirdSetSize >= 1 else {
            throw HardnessError.invalidGeneratorParameter(name: "|C|", value: "\(thirdSetSize)", rule: "must be at least 1")
        }
        if threshold != nil {
            try HardnessInstance.validate(threshold: threshold, for: problem, dimension: d)
        }
        let instance: HardnessInstance
        switch problem.score {
        case .tripleProduct:
            instance = generateThreeOV(n: n, cSize: thirdSetSize, d: d, planted: planted, density: density)
        case .innerProduct:
            instance = try generateInnerProduct(problem, n: n, d: d, planted: planted, density: density,
                                                threshold: threshold.map { Int($0) })
        case .cosine:
            instance = try generateCosine(problem, n: n, d: d, planted: planted, density: density,
                                          threshold: threshold)
        }
        try instance.validate()
        if verify && planted != .random {
            let answer = try BruteForce.solve(instance).answer
            guard answer == (planted == .yes) else {
                throw HardnessError.cannotPlant(problem: problem, reason: "internal error: brute force answers "
                    + "\(answer) for a planted \(planted.rawValue)")
            }
        }
        return instance
    }

    /// n × d entries, each 1 with probability `density`; with `nonZero`, all-zero rows get one random 1.
    mutating func sample(rows: Int, columns: Int, density: Double, nonZero: Bool = false) -> BinaryMatrix {
        var matrix = BinaryMatrix(rows: rows, columns: columns) { _, _ in random.nextUnit() < density }
        if nonZero {
            for i in 0..<rows where matrix.popcount(row: i) == 0 {
                matrix[i, Int.random(in: 0..<columns, using: &random)] = true
            }
        }
        return matrix
    }

    private mutating func generateThreeOV(n: Int, cSize: Int, d: Int, planted: PlantedAnswer,
                                          density: Double) -> HardnessInstance {
        var a = sample(rows: n, columns: d, density: density)
        var b = sample(rows: n, columns: d, density: density)
        var c = sample(rows: cSize, columns: d, density: density)
        switch planted {
        case .random:
            break
        case .yes:
            let (i, j, k) = (Int.random(in: 0..<n, using: &random), Int.random(in: 0..<n, using: &random),
                             Int.random(in: 0..<cSize, using: &random))
            for q in 0..<d where a[i, q] && b[j, q] { c[k, q] = false }
        case .no:
            guard TripleScan(a: a, b: b, c: c, threads: Parallelism.defaultThreads).firstOrthogonalTriple() != nil
            else { break }
            for i in 0..<n {
                for j in 0..<n {
                    for k in 0..<cSize where a.tripleProduct(row: i, with: b, row: j, and: c, row: k) == 0 {
                        let ones = (0..<d).map { (a[i, $0] ? 1 : 0) + (b[j, $0] ? 1 : 0) + (c[k, $0] ? 1 : 0) }
                        let most = ones.max()!
                        let q = (0..<d).filter { ones[$0] == most }.randomElement(using: &random)!
                        (a[i, q], b[j, q], c[k, q]) = (true, true, true)
                    }
                }
            }
        }
        return HardnessInstance(problem: .threeOV, a: a, b: b, c: c)
    }
}
