import Testing
@testable import Kernels

/// One `smallGEMM` case: sizes, orientation, accumulation, triangle and padded leading dimensions.
struct SmallGEMMCase: CustomStringConvertible, Sendable {
    var m: Int, n: Int, k: Int
    var transposeA = false
    var accumulate = false
    var triangle = SmallGEMMTriangle.none
    var padding = 0
    var description: String {
        "m=\(m) n=\(n) k=\(k) tA=\(transposeA) acc=\(accumulate) \(triangle) pad=\(padding)"
    }

    /// Whether op(A)[i, p] is one of the zeros the triangle lets the kernel skip.
    func skipsA(_ i: Int, _ p: Int) -> Bool {
        (triangle == .lowerA && p > i) || (triangle == .upperA && p < i)
    }
}

/// Runs `smallGEMM` and `referenceGEMM` (Float64) on random operands — op(A) with the triangle's zeros in
/// place, C's expected value masked for `.lowerC` — and returns the largest error divided by the element's
/// scale Σ_p |a_ip·b_pj| + |c_ij|, infinite if a padding element of C changed.
func smallGEMMScaledError(_ g: SmallGEMMCase) -> Double {
    let (aRows, aColumns) = g.transposeA ? (g.k, g.m) : (g.m, g.k)
    let lda = aColumns + g.padding, ldb = g.n + g.padding, ldc = g.n + g.padding
    var a = Tensor<Float>.uniform([max(aRows * lda, 1)], low: -1, high: 1, seed: 11)
    for i in 0..<g.m {
        for p in 0..<g.k where g.skipsA(i, p) { a[g.transposeA ? p * lda + i : i * lda + p] = 0 }
    }
    let b = Tensor<Float>.uniform([max(g.k * ldb, 1)], low: -1, high: 1, seed: 12)
    let c0 = Tensor<Float>.uniform([max(g.m * ldc, 1)], low: -1, high: 1, seed: 13)
    var c = c0
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                smallGEMM(transposeA: g.transposeA, m: g.m, n: g.n, k: g.k, a: a.baseAddress!, lda: max(lda, 1),
                          b: b.baseAddress!, ldb: max(ldb, 1), accumulate: g.accumulate, c: c.baseAddress!,
                          ldc: max(ldc, 1), triangle: g.triangle)
            }
        }
    }
    let beta = g.accumulate ? 1.0 : 0
    func reference(_ a: [Double], _ b: [Double], _ c: inout [Double], beta: Double) {
        referenceGEMM(transposeA: g.transposeA, m: g.m, n: g.n, k: g.k, a: a, lda: max(lda, 1), b: b,
                      ldb: max(ldb, 1), beta: beta, c: &c, ldc: max(ldc, 1))
    }
    let (a64, b64) = (a.elements.map(Double.init), b.elements.map(Double.init))
    var expected = c0.elements.map(Double.init), scale = [Double](repeating: 0, count: expected.count)
    reference(a64, b64, &expected, beta: beta)
    reference(a64.map(abs), b64.map(abs), &scale, beta: 0)
    var worst = 0.0
    for i in 0..<g.m {
        for j in 0..<ldc {
            let index = i * ldc + j
            if j >= g.n {
                if c[index] != c0[index] { return .infinity }
                continue
            }
            let want = g.triangle == .lowerC && j > i ? 0 : expected[index]
            worst = max(worst, abs(Double(c[index]) - want) / (scale[index] + beta * abs(Double(c0[index])) + 1e-30))
        }
    }
    return worst
}

@Suite("smallGEMM against the Float64 reference")
struct SmallGEMMTests {
    /// Odd sizes around the 6 × NR tile in every role, both orientations, plain and accumulating,
    /// padded leading dimensions every other case.
    static let cases: [SmallGEMMCase] = {
        let sizes = [1, 7, 17, 63, 65]
        var cases: [SmallGEMMCase] = []
        for (index, (m, n, k)) in zip(sizes, sizes.reversed()).map({ ($0, $1, ($0 + $1) / 2) }).enumerated() {
            for transposeA in [false, true] {
                for accumulate in [false, true] {
                    cases.append(SmallGEMMCase(m: m, n: n, k: k, transposeA: transposeA, accumulate: accumulate,
                                               padding: index % 2 == 0 ? 3 : 0))
                }
            }
        }
        for size in [1, 7, 17, 64, 65] {
            cases.append(SmallGEMMCase(m: size, n: 17, k: size, triangle: .lowerA, padding: 2))
            cases.append(SmallGEMMCase(m: size, n: 17, k: size, transposeA: true, accumulate: true, triangle: .upperA))
            cases.append(SmallGEMMCase(m: size, n: size, k: 17, triangle: .lowerC, padding: size % 2))
        }
        cases.append(SmallGEMMCase(m: 65, n: 33, k: 0, accumulate: true))
        // m ≡ 4 (mod 6) with whole NR-column tiles: the 4-row edge kernel, in place, in every role.
        for m in [4, 16, 64] {
            for transposeA in [false, true] {
                cases.append(SmallGEMMCase(m: m, n: 2 * GEMMTile.columns, k: 33, transposeA: transposeA, padding: 1))
                cases.append(SmallGEMMCase(m: m, n: GEMMTile.columns, k: m, transposeA: transposeA, accumulate: true,
                                           triangle: transposeA ? .upperA : .lowerA))
            }
            cases.append(SmallGEMMCase(m: m, n: m, k: 17, triangle: .lowerC))
        }
        cases.append(SmallGEMMCase(m: 4, n: GEMMTile.columns, k: 0, accumulate: true))
        return cases
    }()

    @Test("matches Float64 within 1e-5 of the element's scale", arguments: cases)
    func matchesReference(_ g: SmallGEMMCase) {
        #expect(smallGEMMScaledError(g) <= 1e-5, "\(g)")
    }

    @Test("without accumulate, NaN in C does not propagate (edge tiles included)")
    func writeOnlyC() {
        let (m, n, k) = (7, 17, 5)
        let a = [Float](repeating: 1, count: m * k), b = [Float](repeating: 2, count: k * n)
        var c = [Float](repeating: .nan, count: m * n)
        smallGEMM(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
        #expect(c.allSatisfy { $0 == 10 })
    }
}
