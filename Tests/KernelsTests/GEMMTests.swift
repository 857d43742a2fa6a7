import Testing
@testable import Kernels

/// One GEMM case: sizes, transposes, scalars and padded leading dimensions.
struct GEMMCase: CustomStringConvertible {
    var m: Int, n: Int, k: Int
    var transposeA = false, transposeB = false
    var alpha: Float = 1, beta: Float = 0
    var padding = 0
    var description: String {
        "m=\(m) n=\(n) k=\(k) tA=\(transposeA) tB=\(transposeB) α=\(alpha) β=\(beta) pad=\(padding)"
    }
}

/// Runs `gemm` and `referenceGEMM` on the same random operands and returns the largest error of any
/// element divided by its natural scale |α|·Σ_p |a_ip·b_pj| + |β·c_ij|, and the fast result.
func gemmScaledError(_ g: GEMMCase, threads: Int = 2, seed: UInt64 = 7) -> (error: Double, result: [Float]) {
    let (aRows, aColumns) = g.transposeA ? (g.k, g.m) : (g.m, g.k)
    let (bRows, bColumns) = g.transposeB ? (g.n, g.k) : (g.k, g.n)
    let lda = aColumns + g.padding, ldb = bColumns + g.padding, ldc = g.n + g.padding
    let a = Tensor<Float>.uniform([max(aRows * lda, 1)], low: -1, high: 1, seed: seed)
    let b = Tensor<Float>.uniform([max(bRows * ldb, 1)], low: -1, high: 1, seed: seed + 1)
    let c0 = Tensor<Float>.uniform([max(g.m * ldc, 1)], low: -1, high: 1, seed: seed + 2)
    var c = c0
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                gemm(transposeA: g.transposeA, transposeB: g.transposeB, m: g.m, n: g.n, k: g.k,
                     alpha: g.alpha, a: a.baseAddress!, lda: max(lda, 1), b: b.baseAddress!, ldb: max(ldb, 1),
                     beta: g.beta, c: c.baseAddress!, ldc: max(ldc, 1), threads: threads)
            }
        }
    }
    let a64 = a.converted(to: Double.self), b64 = b.converted(to: Double.self)
    let absA = Tensor<Double>(shape: a64.shape, elements: a64.elements.map(abs))
    let absB = Tensor<Double>(shape: b64.shape, elements: b64.elements.map(abs))
    var expected = c0.converted(to: Double.self)
    var scale = Tensor<Double>(zeros: expected.shape)
    func reference(_ a: Tensor<Double>, _ b: Tensor<Double>, alpha: Double, beta: Double, into c: inout Tensor<Double>) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    referenceGEMM(transposeA: g.transposeA, transposeB: g.transposeB, m: g.m, n: g.n, k: g.k,
                                  alpha: alpha, a: a.baseAddress!, lda: max(lda, 1), b: b.baseAddress!,
                                  ldb: max(ldb, 1), beta: beta, c: c.baseAddress!, ldc: max(ldc, 1))
                }
            }
        }
    }
    reference(a64, b64, alpha: Double(g.alpha), beta: Double(g.beta), into: &expected)
    reference(absA, absB, alpha: 1, beta: 0, into: &scale)
    var worst = 0.0
    for i in 0..<g.m {
        for j in 0..<g.n {
            let index = i * ldc + j
            let bound = abs(Double(g.alpha)) * scale[index] + abs(Double(g.beta) * Double(c0[index])) + 1e-30
            worst = max(worst, abs(Double(c[index]) - expected[index]) / bound)
        }
    }
    // Padding columns of C must be untouched.
    for i in 0..<g.m {
        for j in g.n..<ldc where c[i * ldc + j] != c0[i * ldc + j] { worst = .infinity }
    }
    return (worst, c.elements)
}

@Suite("GEMM against the Float64 reference")
struct GEMMTests {
    /// 70 cases with each size 1…70 in turn as m, n or k, plus 140 seeded random cases up to 300,
    /// cycling through all transposes, α/β ≠ 1 and padded leading dimensions.
    static let cases: [GEMMCase] = {
        var generator = SeededGenerator(seed: 2024)
        func random(_ upper: Int) -> Int { Int(generator.next() % UInt64(upper)) + 1 }
        var cases: [GEMMCase] = []
        for size in 1...70 {
            var g = GEMMCase(m: random(90), n: random(150), k: random(90))
            switch size % 3 {
            case 0: g.m = size
            case 1: g.n = size
            default: g.k = size
            }
            cases.append(g)
        }
        for _ in 0..<140 { cases.append(GEMMCase(m: random(300), n: random(300), k: random(300))) }
        let scalars: [(Float, Float)] = [(1, 0), (0.5, 1), (-1.25, 0.75), (2, -1)]
        for index in cases.indices {
            cases[index].transposeA = index % 2 == 1
            cases[index].transposeB = (index / 2) % 2 == 1
            (cases[index].alpha, cases[index].beta) = scalars[(index / 4) % 4]
            cases[index].padding = index % 5 == 0 ? 3 : 0
        }
        return cases
    }()

    @Test("matches Float64 within 1e-5 of the element's scale", arguments: cases)
    func matchesReference(_ g: GEMMCase) {
        #expect(gemmScaledError(g).error <= 1e-5, "\(g)")
    }

    @Test("tiles larger than the cache blocks and tall-skinny shapes", arguments: [
        GEMMCase(m: 200, n: 1100, k: 600), GEMMCase(m: 1, n: 2000, k: 513, transposeB: true),
        GEMMCase(m: 700, n: 1, k: 300, transposeA: true), GEMMCase(m: 97, n: 131, k: 1, alpha: 2, beta: 3),
        GEMMCase(m: 13, n: 4200, k: 300, beta: 0.5), GEMMCase(m: 7, n: 4103, k: 259, transposeB: true),
    ])
    func largeShapes(_ g: GEMMCase) {
        #expect(gemmScaledError(g).error <= 1e-5, "\(g)")
    }

    @Test("one and two threads give identical results")
    func threadInvariance() {
        let g = GEMMCase(m: 301, n: 257, k: 129, alpha: 1.5, beta: 0.5)
        #expect(gemmScaledError(g, threads: 1).result == gemmScaledError(g, threads: 2).result)
    }

    @Test("k = 0 and α = 0 scale C by β; β = 0 ignores NaN in C")
    func degenerateScalars() {
        var c: [Float] = [1, 2, .nan, 4]
        let a: [Float] = [1, 1], b: [Float] = [1, 1]
        gemm(m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: &c, ldc: 2)
        #expect(c[0] == 2 && c[1] == 4 && c[3] == 8)
        gemm(m: 2, n: 2, k: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
        #expect(c == [1, 1, 1, 1])
    }

    @Test("batched GEMM equals one GEMM per product")
    func batched() {
        let count = 5, m = 37, n = 70, k = 19
        let a = Tensor<Float>.normal([count, m, k], seed: 1), b = Tensor<Float>.normal([count, n, k], seed: 2)
        var c = Tensor<Float>(zeros: [count, m, n])
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    batchedGEMM(count: count, transposeB: true, m: m, n: n, k: k,
                                a: a.baseAddress!, lda: k, strideA: m * k, b: b.baseAddress!, ldb: k, strideB: n * k,
                                c: c.baseAddress!, ldc: n, strideC: m * n)
                }
            }
        }
        for i in 0..<count {
            #expect(c.slice(i) == a.slice(i).matmul(b.slice(i), transposeOther: true))
        }
    }
}
