import Kernels

/// Nyströmformer's pseudo-inverse of one m×m matrix A (mlpen/Nystromformer `attention_nystrom.py`,
/// `iterative_inv`): Z₀ = Aᵀ / (max column sum of A), then six times
///
///     Z ← ¼·Z·(13I − A·Z·(15I − A·Z·(7I − A·Z)))
///
/// (the reference code's max is over every head at once; here it is per head, so heads stay independent).
/// `backward` differentiates the iteration itself, recomputing each step from the saved iterates.
/// Cost: 6 × 4 m×m products forward (2m³ each), about 3× that backward. Single-threaded (one per head);
/// the untransposed products of each step through `smallGEMM`, the rest through `gemm` on one thread.
struct IterativeInverse {
    let size: Int
    static let iterations = 6

    /// Z ≈ A⁺ into `z`; `history` (iterations·m² floats) receives Z₀ … Z₅.
    func forward(_ a: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, history: UnsafeMutablePointer<Float>) {
        let m = size, count = size * size
        let (c, _) = maxColumnSum(a)
        for i in 0..<m { for j in 0..<m { history[i * m + j] = a[j * m + i] / c } }
        let work = UnsafeMutablePointer<Float>.allocate(capacity: 4 * count)
        defer { work.deallocate() }
        for t in 0..<Self.iterations {
            let current = UnsafePointer(history + t * count)
            let step = self.step(a, current, work: work)
            let target = t + 1 < Self.iterations ? history + (t + 1) * count : z
            multiply(current, step.w, into: target, alpha: 0.25)
        }
    }

    /// dA (`[m, m]`, overwritten) from dZ, given A and the forward pass's `history`.
    func backward(_ a: UnsafePointer<Float>, history: UnsafePointer<Float>, gradZ: UnsafePointer<Float>,
                  into gradA: UnsafeMutablePointer<Float>) {
        let m = size, count = size * size
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 10 * count)
        defer { buffer.deallocate() }
        let (work, dz, dzNext, dw, du, dp, dt) = (buffer, buffer + 4 * count, buffer + 5 * count, buffer + 6 * count,
                                                  buffer + 7 * count, buffer + 8 * count, buffer + 9 * count)
        gradA.update(repeating: 0, count: count)
        dzNext.update(from: gradZ, count: count)
        for t in stride(from: Self.iterations - 1, through: 0, by: -1) {
            let z = history + t * count
            let s = step(a, z, work: work)
            // Z' = ¼·Z·W, W = 13I − P·U, U = 15I − P·T, T = 7I − P, P = A·Z.
            multiply(dzNext, s.w, into: dz, alpha: 0.25, transposeB: true)
            multiply(z, dzNext, into: dw, alpha: 0.25, transposeA: true)
            multiply(dw, s.u, into: dp, alpha: -1, transposeB: true)
            multiply(s.p, dw, into: du, alpha: -1, transposeA: true)
            multiply(du, s.t, into: dp, alpha: -1, beta: 1, transposeB: true)
            multiply(s.p, du, into: dt, alpha: -1, transposeA: true)
            zipLanes(dp, dt, into: dp, count: count) { $0 - $1 }
            multiply(dp, z, into: gradA, beta: 1, transposeB: true)
            multiply(a, dp, into: dz, beta: 1, transposeA: true)
            dzNext.update(from: dz, count: count)
        }
        // Z₀ = Aᵀ/c, c = Σ_i A[i, j*]: dA += dZ₀ᵀ/c, and dc = −⟨dZ₀, Aᵀ⟩/c² reaches column j*.
        let (c, column) = maxColumnSum(a)
        var dc: Float = 0
        for i in 0..<m {
            for j in 0..<m {
                gradA[j * m + i] += dzNext[i * m + j] / c
                dc -= dzNext[i * m + j] * a[j * m + i] / (c * c)
            }
        }
        for i in 0..<m { gradA[i * m + column] += dc }
    }

    /// P = A·Z, T = 7I − P, U = 15I − P·T, W = 13I − P·U, in `work` (4 m×m blocks).
    private func step(_ a: UnsafePointer<Float>, _ z: UnsafePointer<Float>, work: UnsafeMutablePointer<Float>)
        -> (p: UnsafeMutablePointer<Float>, t: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>)
    {
        let count = size * size
        let (p, t, u, w) = (work, work + count, work + 2 * count, work + 3 * count)
        product(a, z, into: p)
        shiftedNegative(p, 7, into: t)
        product(p, t, into: u)
        shiftedNegative(u, 15, into: u)
        product(p, u, into: w)
        shiftedNegative(w, 13, into: w)
        return (p, t, u, w)
    }

    /// y = c·I − x.
    private func shiftedNegative(_ x: UnsafePointer<Float>, _ c: Float, into y: UnsafeMutablePointer<Float>) {
        zipLanes(x, x, into: y, count: size * size) { v, _ in -v }
        for i in 0..<size { y[i * size + i] += c }
    }

    /// z = x·y on the calling thread (`smallGEMM`: no packing for these m × m operands).
    private func product(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>) {
        smallGEMM(m: size, n: size, k: size, a: x, lda: size, b: y, ldb: size, c: z, ldc: size)
    }

    private func multiply(
        _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0, transposeA: Bool = false, transposeB: Bool = false
    ) {
        gemm(transposeA: transposeA, transposeB: transposeB, m: size, n: size, k: size, alpha: alpha, a: x, lda: size,
             b: y, ldb: size, beta: beta, c: z, ldc: size, threads: 1)
    }

    /// The largest column sum of A and its column.
    private func maxColumnSum(_ a: UnsafePointer<Float>) -> (Float, Int) {
        var best: (Float, Int) = (-.infinity, 0)
        for j in 0..<size {
            var sum: Float = 0
            for i in 0..<size { sum += a[i * size + j] }
            if sum > best.0 { best = (sum, j) }
        }
        return best
    }
}
