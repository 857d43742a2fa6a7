import Testing
@testable import Kernels

/// One Strassen test product: sizes, cut-off, scalars, padded leading dimensions, operand range.
struct StrassenCase: CustomStringConvertible, Sendable {
    var m: Int, n: Int, k: Int
    var cutoff = 16
    var alpha: Float = 1, beta: Float = 0
    var padding = 0
    /// Operands uniform in [low, 1): −1 for mixed signs, 0 for the all-positive case (Strassen's worst).
    var low: Float = -1
    var description: String {
        "m=\(m) n=\(n) k=\(k) cutoff=\(cutoff) α=\(alpha) β=\(beta) pad=\(padding) low=\(low)"
    }
}

/// Operands, results and the error of `strassenGEMM` against the Float64 reference.
struct StrassenOutcome {
    let strassen: [Float]
    let classical: [Float]
    /// max |Ĉ − C| over C's elements, C = α·A·B + β·C₀ in Float64 from the same Float inputs.
    let error: Double
    /// The documented bound `StrassenErrorBound.bound` for these operands.
    let bound: Double
    /// max |Ĉ − gemm's C|.
    let differenceFromClassical: Double
    /// The bound for classical gemm on the same operands (φ = k·(k + 2 + ⌈k/256⌉)).
    let classicalBound: Double
}

func runStrassen(_ s: StrassenCase, threads: Int = 2, seed: UInt64 = 11) -> StrassenOutcome {
    let (lda, ldb, ldc) = (s.k + s.padding, s.n + s.padding, s.n + s.padding)
    let a = Tensor<Float>.uniform([max(1, s.m * lda)], low: s.low, high: 1, seed: seed)
    let b = Tensor<Float>.uniform([max(1, s.k * ldb)], low: s.low, high: 1, seed: seed + 1)
    let c0 = Tensor<Float>.uniform([max(1, s.m * ldc)], low: -1, high: 1, seed: seed + 2)
    var strassen = c0, classical = c0
    var expected = c0.converted(to: Double.self)
    let (a64, b64) = (a.converted(to: Double.self), b.converted(to: Double.self))
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            strassen.withUnsafeMutableBufferPointer { c in
                strassenGEMM(m: s.m, n: s.n, k: s.k, alpha: s.alpha, a: a.baseAddress!, lda: max(1, lda),
                             b: b.baseAddress!, ldb: max(1, ldb), beta: s.beta, c: c.baseAddress!, ldc: max(1, ldc),
                             cutoff: s.cutoff, threads: threads)
            }
            classical.withUnsafeMutableBufferPointer { c in
                gemm(m: s.m, n: s.n, k: s.k, alpha: s.alpha, a: a.baseAddress!, lda: max(1, lda),
                     b: b.baseAddress!, ldb: max(1, ldb), beta: s.beta, c: c.baseAddress!, ldc: max(1, ldc))
            }
        }
    }
    a64.withUnsafeBufferPointer { a in
        b64.withUnsafeBufferPointer { b in
            expected.withUnsafeMutableBufferPointer { c in
                referenceGEMM(m: s.m, n: s.n, k: s.k, alpha: Double(s.alpha), a: a.baseAddress!, lda: max(1, lda),
                              b: b.baseAddress!, ldb: max(1, ldb), beta: Double(s.beta), c: c.baseAddress!,
                              ldc: max(1, ldc))
            }
        }
    }
    func maxAbs(_ values: [Float], rows: Int, columns: Int, stride: Int) -> Double {
        var largest = 0.0
        for i in 0..<rows { for j in 0..<columns { largest = max(largest, Double(abs(values[i * stride + j]))) } }
        return largest
    }
    let normA = maxAbs(a.elements, rows: s.m, columns: s.k, stride: lda)
    let normB = maxAbs(b.elements, rows: s.k, columns: s.n, stride: ldb)
    let normC = maxAbs(c0.elements, rows: s.m, columns: s.n, stride: ldc)
    var error = 0.0, difference = 0.0
    for i in 0..<s.m {
        for j in 0..<s.n {
            let index = i * ldc + j
            error = max(error, abs(Double(strassen[index]) - expected[index]))
            difference = max(difference, Double(abs(strassen[index] - classical[index])))
        }
        for j in s.n..<ldc where strassen[i * ldc + j] != c0[i * ldc + j] { error = .infinity }
    }
    let bound = StrassenErrorBound.bound(m: s.m, n: s.n, k: s.k, cutoff: s.cutoff, alpha: s.alpha, beta: s.beta,
                                         normA: normA, normB: normB, normC: normC)
    let kk = Double(s.k), blocks = Double((s.k + 255) / 256)
    let classicalBound = StrassenErrorBound.unitRoundoff
        * (abs(Double(s.alpha)) * kk * (kk + 2 + blocks) * normA * normB + (blocks + 1) * abs(Double(s.beta)) * normC)
    return StrassenOutcome(strassen: strassen.elements, classical: classical.elements, error: error, bound: bound,
                           differenceFromClassical: difference, classicalBound: classicalBound)
}

@Suite("Strassen–Winograd GEMM against the Float64 reference")
struct StrassenGEMMTests {
    /// Squares through odd, power-of-two and off-by-one sizes, and rectangular shapes in which each of
    /// m, n, k is in turn the smallest, the odd one or 1; cut-off 16 so up to four levels recurse.
    static let cases: [StrassenCase] = {
        var cases = [1, 7, 63, 64, 65, 127, 200, 257, 300].map { StrassenCase(m: $0, n: $0, k: $0) }
        cases += [
            StrassenCase(m: 300, n: 65, k: 127), StrassenCase(m: 65, n: 300, k: 257),
            StrassenCase(m: 127, n: 257, k: 300), StrassenCase(m: 257, n: 200, k: 33),
            StrassenCase(m: 33, n: 129, k: 200), StrassenCase(m: 1, n: 300, k: 257),
            StrassenCase(m: 200, n: 1, k: 129), StrassenCase(m: 129, n: 200, k: 1),
        ]
        let scalars: [(Float, Float)] = [(1, 0), (0.5, 1), (-1.25, 0.75), (2, -1)]
        for index in cases.indices {
            (cases[index].alpha, cases[index].beta) = scalars[index % 4]
            cases[index].padding = index % 3 == 0 ? 5 : 0
            cases[index].cutoff = index % 2 == 0 ? 16 : 32
        }
        cases.append(StrassenCase(m: 256, n: 256, k: 256, low: 0))
        cases.append(StrassenCase(m: 255, n: 260, k: 270, cutoff: 8, alpha: 1.5, beta: 0.5, low: 0))
        return cases
    }()

    @Test("max-norm error within the documented bound; agrees with gemm within both bounds", arguments: cases)
    func withinDocumentedBound(_ s: StrassenCase) {
        let outcome = runStrassen(s)
        print("strassen \(s): error \(outcome.error), bound \(outcome.bound), "
              + "observed/bound = \(outcome.error / outcome.bound)")
        #expect(outcome.error <= outcome.bound, "\(s): error \(outcome.error) > bound \(outcome.bound)")
        #expect(outcome.differenceFromClassical <= outcome.bound + outcome.classicalBound, "\(s)")
    }

    @Test("a cut-off at or above the smallest dimension is exactly classical gemm")
    func cutoffAboveSizeIsClassical() {
        let outcome = runStrassen(StrassenCase(m: 90, n: 120, k: 100, cutoff: 90, alpha: 0.5, beta: 2))
        #expect(outcome.strassen == outcome.classical)
    }

    @Test("one and two threads give identical results")
    func threadInvariance() {
        let s = StrassenCase(m: 301, n: 257, k: 199, cutoff: 32, alpha: 1.5, beta: 0.5, padding: 3)
        #expect(runStrassen(s, threads: 1).strassen == runStrassen(s, threads: 2).strassen)
    }

    @Test("β = 0 ignores NaN in C; α = 0 and k = 0 scale C by β")
    func degenerateScalars() {
        let a = [Float](repeating: 1, count: 64 * 64), b = [Float](repeating: 0.5, count: 64 * 64)
        var c = [Float](repeating: .nan, count: 64 * 64)
        strassenGEMM(m: 64, n: 64, k: 64, a: a, lda: 64, b: b, ldb: 64, beta: 0, c: &c, ldc: 64, cutoff: 8)
        #expect(c.allSatisfy { $0 == 32 })
        strassenGEMM(m: 64, n: 64, k: 64, alpha: 0, a: a, lda: 64, b: b, ldb: 64, beta: 2, c: &c, ldc: 64, cutoff: 8)
        #expect(c.allSatisfy { $0 == 64 })
        strassenGEMM(m: 64, n: 64, k: 0, a: a, lda: 1, b: b, ldb: 64, beta: -1, c: &c, ldc: 64, cutoff: 8)
        #expect(c.allSatisfy { $0 == -64 })
    }

    @Test("for N = 2^L·n₀ the bound is at most (N/n₀)^log₂18·(n₀² + 9·n₀), as documented")
    func closedFormOfTheBound() {
        for n0 in [8, 16, 100, 256] {
            for levels in 0...5 {
                let size = n0 << levels
                let phi = StrassenErrorBound.coefficients(m: size, n: size, k: size, cutoff: n0).phi
                let closedForm = pow18(levels) * Double(n0 * n0 + 9 * n0)
                #expect(phi <= closedForm, "N=\(size) n0=\(n0): φ=\(phi) > \(closedForm)")
                #expect(phi >= Double(size * size), "the Strassen bound is never below the classical k²")
            }
        }
    }

    private func pow18(_ power: Int) -> Double { (0..<power).reduce(1) { value, _ in value * 18 } }

    @Test("work memory is at most (mk + kn + mn)/3 + 2k + 64·levels floats")
    func workspaceBound() {
        for (m, n, k) in [(1024, 1024, 1024), (300, 65, 127), (4097, 1000, 2049)] {
            let recursion = WinogradRecursion(cutoff: 16, threads: 1)
            var levels = 0, (mm, nn, kk) = (m, n, k)
            while recursion.recurses(m: mm, n: nn, k: kk) { (mm, nn, kk, levels) = (mm / 2, nn / 2, kk / 2, levels + 1) }
            let limit = (m * k + k * n + m * n) / 3 + 2 * k + 64 * levels
            #expect(recursion.workspaceCount(m: m, n: n, k: k) <= limit, "\(m)×\(n)×\(k)")
        }
    }
}

@Suite("Strassen cut-off from timings")
struct StrassenCutoffTests {
    private func timing(_ size: Int, _ classical: Double, _ oneLevel: Double) -> StrassenCutoff.Timing {
        .init(size: size, classicalSeconds: classical, oneLevelSeconds: oneLevel)
    }

    @Test("the cut-off is the largest size where one level was not faster")
    func crossover() {
        let noisy = [timing(1024, 1, 1.2), timing(512, 1, 1.5), timing(1536, 1, 0.99), timing(2048, 1, 1.01),
                     timing(3072, 1, 0.95), timing(4096, 1, 0.9)]
        #expect(StrassenCutoff.crossover(noisy) == 2048)
        #expect(StrassenCutoff.crossover([timing(256, 1, 0.9), timing(512, 1, 0.8)]) == 255)
        #expect(StrassenCutoff.crossover([timing(256, 1, 1.1), timing(512, 1, 1.0)]) == 512)
    }

    @Test("timings cover every requested size with positive medians")
    func timingsShape() {
        let timings = StrassenCutoff.timings(sizes: [32, 64], repeats: 1, threads: 1)
        #expect(timings.map(\.size) == [32, 64])
        #expect(timings.allSatisfy { $0.classicalSeconds > 0 && $0.oneLevelSeconds > 0 })
    }
}
