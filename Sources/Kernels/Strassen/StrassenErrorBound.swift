/// The first-order rounding-error bound of `strassenGEMM`, in the max norm ‖X‖ = maxᵢⱼ|xᵢⱼ|:
///
///     ‖Ĉ − (α·A·B + β·C₀)‖ ≤ u·(|α|·φ·‖A‖·‖B‖ + ψ·|β|·‖C₀‖) + O(u²),   u = 2⁻²⁴,
///
/// where φ and ψ follow the recursion of `strassenGEMM` exactly (`coefficients`):
///
/// - A classical product of inner dimension k (`gemm`: FMA dot products in blocks of 256, then one
///   rounding for α and one per block for adding the running C; or `dot` for a peeled column):
///   φ = k·(k + 2 + ⌈k/256⌉), ψ = ⌈k/256⌉ + 1.
/// - A Winograd level with half inner dimension h = ⌊k/2⌋ and sub-products bounded by (φₕ, ψₕ):
///   φ = 18·φₕ + (69 + 11·ψₕ)·h and ψ = ψₕ + 2. The 18 is the largest, over the four quadrants of C,
///   of Σ ‖Sᵢ‖‖Tᵢ‖ / (‖A‖‖B‖) over the products Pᵢ = Sᵢ·Tᵢ summed into that quadrant (‖S₂‖, ‖T₂‖ ≤ 3,
///   ‖S₄‖, ‖T₄‖ ≤ 4, …: 1 + 9 + 4 + 4); 47·h is the rounding of the operand sums Sᵢ, Tᵢ carried through
///   the products (‖ΔS₂‖ ≤ 5u‖A‖, ‖ΔS₄‖ ≤ 9u‖A‖, …); 22·h + 11·ψₕ·h the rounding of the product sums,
///   including sub-products accumulated onto partial sums of size up to 10·h·‖A‖‖B‖.
/// - Odd k adds the peeled rank-1 update, k + 1 to φ and 1 to ψ; odd m or n adds classical rows or a
///   column, so φ and ψ are never below the classical values for the full k.
///
/// For square N = 2^L·n₀ (n₀ ≤ 256) this gives φ ≤ 18^L·(n₀² + 9·n₀) = (N/n₀)^{log₂18}·(n₀² + 9·n₀),
/// the growth of Higham's bound for the Winograd variant (Accuracy and Stability of Numerical
/// Algorithms, 2nd ed., §23.2.2), against φ ≈ N² for classical multiplication: each level costs a
/// factor 18/4 = 4.5 in the worst case. Observed errors on random data are far smaller (the tests
/// report the ratio), since rounding errors rarely align.
public enum StrassenErrorBound {
    /// The unit roundoff of Float.
    public static let unitRoundoff = 0x1p-24

    /// φ (multiplies |α|·‖A‖·‖B‖) and ψ (multiplies |β|·‖C₀‖) for an [m, k]·[k, n] product with `cutoff`.
    public static func coefficients(m: Int, n: Int, k: Int, cutoff: Int) -> (phi: Double, psi: Double) {
        let recursion = WinogradRecursion(cutoff: cutoff, threads: 1)
        let kk = Double(k), blocks = Double((k + 255) / 256)
        let classical = (phi: kk * (kk + 2 + blocks), psi: blocks + 1)
        if m == 0 || n == 0 || k == 0 || !recursion.recurses(m: m, n: n, k: k) { return classical }
        let half = coefficients(m: m / 2, n: n / 2, k: k / 2, cutoff: cutoff)
        let h = Double(k / 2)
        var phi = 18 * half.phi + (69 + 11 * half.psi) * h
        var psi = half.psi + 2
        if k % 2 == 1 {
            phi += kk + 1
            psi += 1
        }
        return (max(phi, classical.phi), max(psi, classical.psi))
    }

    /// The bound on ‖Ĉ − (α·A·B + β·C₀)‖ (max norm) given ‖A‖, ‖B‖, ‖C₀‖.
    public static func bound(
        m: Int, n: Int, k: Int, cutoff: Int, alpha: Float, beta: Float,
        normA: Double, normB: Double, normC: Double
    ) -> Double {
        let (phi, psi) = coefficients(m: m, n: n, k: k, cutoff: cutoff)
        return unitRoundoff * (abs(Double(alpha)) * phi * normA * normB + psi * abs(Double(beta)) * normC)
    }
}
