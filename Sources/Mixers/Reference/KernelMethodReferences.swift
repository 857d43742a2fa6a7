import Foundation

/// Linear attention (Katharopoulos et al.): κ(q, k) = φ(q)·φ(k), φ = elu + 1, ε = 1e−6.
func linearReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], causal: Bool) -> [[Double]] {
    func phi(_ x: [Double]) -> [Double] { x.map { $0 > 0 ? $0 + 1 : Foundation.exp($0) } }
    return kernelReference(q, k, v, causal: causal, epsilon: 1e-6) { dot(phi($0), phi($1)) }
}

/// Based: κ(q, k) = 1 + s·q·k + (s·q·k)²/2 (exp's second-order Taylor polynomial), ε = 1e−12.
func basedReference(_ q: [[Double]], _ k: [[Double]], _ v: [[Double]], scale: Double, causal: Bool) -> [[Double]] {
    kernelReference(q, k, v, causal: causal, epsilon: 1e-12) { a, b in
        let x = scale * dot(a, b)
        return 1 + x + x * x / 2
    }
}

/// Alman–Song polynomial method: κ(q, k) = P(s·q·k) with P = Σ_t c_t·x^t the `ExpPolynomial`, ε = 0.
func polynomialReference(
    _ q: [[Double]], _ k: [[Double]], _ v: [[Double]], polynomial: ExpPolynomial, scale: Double, causal: Bool
) -> [[Double]] {
    kernelReference(q, k, v, causal: causal, epsilon: 0) { a, b in polynomial(scale * dot(a, b)) }
}
