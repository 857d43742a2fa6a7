/// Single-precision matrix multiply by Strassen–Winograd recursion, `C = α·A·B + β·C`, row-major.
///
/// Shapes: A is [m, k] (row stride `lda ≥ k`), B is [k, n] (`ldb ≥ n`), C is [m, n] (`ldc ≥ n`); C must
/// not overlap A or B. No transposes: callers with op(A) = Aᵀ use `gemm`, or transpose first (O(n²)).
/// `β = 0` means C is write-only, as in `gemm`.
///
/// Algorithm: while the problem's smallest dimension exceeds `cutoff`, each of m, n, k is halved and the
/// product formed from 7 half-size products and 15 block additions (Winograd's variant: 8 operand sums
/// S₁…S₄, T₁…T₄ and 7 sums of products), in the schedule of Boyer, Dumas, Pernet and Zhou (ISSAC 2009)
/// for `C ← α·A·B + β·C`, which needs three temporaries per level. Products at or below the cut-off go to
/// the classical `gemm`, which uses `threads` threads; the additions are split over the same threads.
/// Odd dimensions are handled by dynamic peeling at each level: the even leading part recurses, and the
/// last column of A / row of B (odd k, a rank-1 update), last column of C (odd n, dot products) and last
/// row of C (odd m, a 1-row `gemm`) are added classically, O(mn + mk + kn) extra work per level.
///
/// Cost: 7^L products of size (m/2^L)·(n/2^L)·(k/2^L) with L the number of levels, i.e. about
/// 2·m·n·k·(7/8)^L FLOPs for the products, plus O(mn + mk + kn) memory-bound work per level; for
/// n×n×n with n = 2^L·n₀ that is Θ(n^{log₂7}) = Θ(n^2.807) as L grows with n.
/// Work memory: one allocation, made once up front, of Σ over levels ℓ ≥ 1 of mₗkₗ + kₗnₗ + mₗnₗ floats
/// (mₗ = ⌊m/2^ℓ⌋, …) plus a k-vector per level: at most (mk + kn + mn)/3 + 2k + 64·L floats, i.e. N² floats,
/// the size of one operand, for m = n = k = N. Nothing is allocated inside the recursion.
///
/// Accuracy (max norm ‖X‖ = maxᵢⱼ|xᵢⱼ|, u = 2⁻²⁴): see `StrassenErrorBound`: to first order in u,
/// ‖Ĉ − C‖ ≤ u·(|α|·φ·‖A‖‖B‖ + ψ·|β|·‖C₀‖), with φ growing as 18^L·k₀² against k² for `gemm`.
public func strassenGEMM(
    m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
    cutoff: Int = StrassenCutoff.default,
    threads: Int = Parallelism.defaultThreads
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
    precondition(lda >= max(1, k) && ldb >= max(1, n) && ldc >= max(1, n), "leading dimension too small")
    precondition(cutoff >= 1, "Strassen cut-off must be at least 1")
    let recursion = WinogradRecursion(cutoff: cutoff, threads: max(1, threads))
    let workspace = AlignedBuffer(count: recursion.workspaceCount(m: m, n: n, k: k))
    defer { workspace.free() }
    recursion.multiply(
        alpha: alpha,
        MatrixBlock(readOnly: a, rows: m, columns: k, stride: lda),
        MatrixBlock(readOnly: b, rows: k, columns: n, stride: ldb),
        beta: beta,
        MatrixBlock(base: c, rows: m, columns: n, stride: ldc),
        workspace: workspace.pointer)
}

/// The recursion of `strassenGEMM`: cut-off, threads, and the workspace each level carves.
struct WinogradRecursion {
    let cutoff: Int
    let threads: Int

    func recurses(m: Int, n: Int, k: Int) -> Bool { min(m, n, k) > cutoff }

    /// Floats of workspace a product of these sizes needs: this level's X (m/2 × k/2), Y (k/2 × n/2),
    /// Z (m/2 × n/2) and a k-vector for peeling, each rounded to 64 bytes, then the next level's.
    func workspaceCount(m: Int, n: Int, k: Int) -> Int {
        if !recurses(m: m, n: n, k: k) { return 0 }
        let (hm, hn, hk) = (m / 2, n / 2, k / 2)
        return roundUp(hm * hk, 16) + roundUp(hk * hn, 16) + roundUp(hm * hn, 16) + roundUp(k, 16)
            + workspaceCount(m: hm, n: hn, k: hk)
    }

    /// c = α·a·b + β·c for any shapes, peeling odd dimensions off the even part that recurses.
    func multiply(
        alpha: Float, _ a: MatrixBlock, _ b: MatrixBlock, beta: Float, _ c: MatrixBlock,
        workspace: UnsafeMutablePointer<Float>
    ) {
        let (m, n, k) = (a.rows, b.columns, a.columns)
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 || !recurses(m: m, n: n, k: k) {
            classical(alpha: alpha, a, b, beta: beta, c)
            return
        }
        let (evenM, evenN, evenK) = (m & ~1, n & ~1, k & ~1)
        let vector = workspace
        multiplyEven(alpha: alpha, a.leading(rows: evenM, columns: evenK), b.leading(rows: evenK, columns: evenN),
                     beta: beta, c.leading(rows: evenM, columns: evenN), workspace: workspace + roundUp(k, 16))
        if evenK < k {  // C[0..<m', 0..<n'] += α·A[0..<m', k−1]·B[k−1, 0..<n']
            gemm(m: evenM, n: evenN, k: 1, alpha: alpha, a: a.base + evenK, lda: a.stride,
                 b: b.base + evenK * b.stride, ldb: b.stride, beta: 1, c: c.base, ldc: c.stride, threads: threads)
        }
        if evenN < n { peelLastColumn(alpha: alpha, a, b, beta: beta, c, column: vector) }
        if evenM < m {  // C[m−1, 0..<n'] = α·A[m−1, :]·B[:, 0..<n'] + β·C[m−1, 0..<n']
            gemm(m: 1, n: evenN, k: k, alpha: alpha, a: a.base + evenM * a.stride, lda: a.stride,
                 b: b.base, ldb: b.stride, beta: beta, c: c.base + evenM * c.stride, ldc: c.stride,
                 threads: threads)
        }
    }

    /// C[:, n−1] = α·A·B[:, n−1] + β·C[:, n−1]: B's last column gathered into `column` (k floats), then
    /// one dot product per row of A.
    private func peelLastColumn(
        alpha: Float, _ a: MatrixBlock, _ b: MatrixBlock, beta: Float, _ c: MatrixBlock,
        column: UnsafeMutablePointer<Float>
    ) {
        let (k, last) = (a.columns, b.columns - 1)
        for p in 0..<k { column[p] = b.base[p * b.stride + last] }
        let parts = a.rows * k >= BlockAdditions.parallelThreshold ? min(threads, a.rows) : 1
        parallelFor(parts, threads: parts) { part in
            for i in part * a.rows / parts..<(part + 1) * a.rows / parts {
                let product = alpha * dot(a.base + i * a.stride, column, count: k)
                let target = c.base + i * c.stride + last
                target.pointee = beta == 0 ? product : multiplyAdd(beta, target.pointee, product)
            }
        }
    }

    /// One Winograd level on even dimensions: 8 operand sums, 7 recursive products, 7 product sums.
    ///
    /// Schedule (Boyer et al. 2009, C ← α·A·B + β·C with temporaries X, Y, Z); Pᵢ include the factor α:
    /// ```
    /// X = S1 = A21 + A22     Y = T1 = B12 − B11    Z = P5 = S1·T1
    /// C22 = Z + β·C22        C12 = Z + β·C12
    /// X = S2 = S1 − A11      Y = T2 = B22 − T1     Z = P1 = A11·B11     C11 = Z + β·C11
    /// Z = U2 = S2·T2 + Z     C11 = A12·B21 + C11                        (C11 = P1 + P2 + β·C11 done)
    /// X = S4 = A12 − S2      Y = T4 = T2 − B21     C12 = S4·B22 + C12   C12 = Z + C12  (C12 done)
    /// C21 = −A22·T4 + β·C21
    /// X = S3 = A11 − A21     Y = T3 = B22 − B12    Z = U3 = S3·T3 + Z
    /// C22 = Z + C22          C21 = Z + C21                              (C22, C21 done)
    /// ```
    private func multiplyEven(
        alpha: Float, _ a: MatrixBlock, _ b: MatrixBlock, beta: Float, _ c: MatrixBlock,
        workspace: UnsafeMutablePointer<Float>
    ) {
        let (a11, a12, a21, a22) = (a.quadrant(0, 0), a.quadrant(0, 1), a.quadrant(1, 0), a.quadrant(1, 1))
        let (b11, b12, b21, b22) = (b.quadrant(0, 0), b.quadrant(0, 1), b.quadrant(1, 0), b.quadrant(1, 1))
        let (c11, c12, c21, c22) = (c.quadrant(0, 0), c.quadrant(0, 1), c.quadrant(1, 0), c.quadrant(1, 1))
        let (hm, hn, hk) = (a11.rows, b11.columns, a11.columns)
        let x = MatrixBlock(base: workspace, rows: hm, columns: hk, stride: hk)
        let y = MatrixBlock(base: x.base + roundUp(hm * hk, 16), rows: hk, columns: hn, stride: hn)
        let z = MatrixBlock(base: y.base + roundUp(hk * hn, 16), rows: hm, columns: hn, stride: hn)
        let rest = z.base + roundUp(hm * hn, 16)
        func add(_ p: MatrixBlock, _ s: Float, _ q: MatrixBlock, into out: MatrixBlock) {
            BlockAdditions.combine(p, s, q, into: out, threads: threads)
        }
        func addBoth(_ p: MatrixBlock, _ s: Float, into first: MatrixBlock, _ second: MatrixBlock) {
            BlockAdditions.combine(p, s, intoBoth: first, second, threads: threads)
        }
        func product(_ scale: Float, _ p: MatrixBlock, _ q: MatrixBlock, _ keep: Float, _ out: MatrixBlock) {
            multiply(alpha: scale, p, q, beta: keep, out, workspace: rest)
        }
        add(a21, 1, a22, into: x)               // S1
        add(b12, -1, b11, into: y)              // T1
        product(alpha, x, y, 0, z)              // P5
        addBoth(z, beta, into: c22, c12)        // C22 = P5 + β·C22, C12 = P5 + β·C12
        add(x, -1, a11, into: x)                // S2
        add(b22, -1, y, into: y)                // T2
        product(alpha, a11, b11, 0, z)          // P1
        add(z, beta, c11, into: c11)            // C11 = P1 + β·C11
        product(alpha, x, y, 1, z)              // U2 = P1 + P6
        product(alpha, a12, b21, 1, c11)        // C11 += P2
        add(a12, -1, x, into: x)                // S4
        add(y, -1, b21, into: y)                // T4
        product(alpha, x, b22, 1, c12)          // C12 += P3
        add(z, 1, c12, into: c12)               // C12 += U2
        product(-alpha, a22, y, beta, c21)      // C21 = −P4 + β·C21
        add(a11, -1, a21, into: x)              // S3
        add(b22, -1, b12, into: y)              // T3
        product(alpha, x, y, 1, z)              // U3 = U2 + P7
        addBoth(z, 1, into: c22, c21)           // C22 += U3, C21 += U3
    }

    /// The classical kernel for a base-case product.
    private func classical(alpha: Float, _ a: MatrixBlock, _ b: MatrixBlock, beta: Float, _ c: MatrixBlock) {
        gemm(m: a.rows, n: b.columns, k: a.columns, alpha: alpha, a: a.base, lda: a.stride,
             b: b.base, ldb: b.stride, beta: beta, c: c.base, ldc: c.stride, threads: threads)
    }
}
