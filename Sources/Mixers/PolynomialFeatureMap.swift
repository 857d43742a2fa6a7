import Synchronization

/// The Alman–Song polynomial method's explicit features (arXiv 2302.13214 §3): the softmax kernel
/// exp(s·q·k) is replaced by a degree-g polynomial P(s·q·k) and expanded into monomials, P(s·QKᵀ) = U₁U₂ᵀ
/// with r = C(D + g, g) columns. P here is exp's Taylor polynomial Σ_{t ≤ g} x^t/t!, whose relative error
/// on the bounded-entry interval [−B², B²] is ≤ e^{B²}·B^{2(g+1)}/(g+1)!; it is positive for every even g
/// (odd g can make a denominator vanish). Then
///     Σ_t (s·q·k)^t / t! = Σ_{|α| ≤ g} (s^{|α|}/α!)·q^α·k^α,
/// so φ(x)_α = s^{|α|/2}·x^α/√(α!) for both queries and keys (U₁ = U₂). ε = 0.
/// Built by a recurrence over monomials (each is a lower one times one variable), one multiply per feature;
/// backward walks it in reverse. r is capped at `maximumWidth`.
struct PolynomialFeatureMap: FeatureMap {
    let degree: Int

    /// The largest r this runs (beyond it the feature state r·(D + 1) per head stops being practical).
    static let maximumWidth = 65_536

    var epsilon: Float { 0 }

    func width(headDimension d: Int) throws -> Int {
        let r = Self.binomial(d + degree, degree)
        guard r <= Self.maximumWidth else {
            throw MixerError.invalidParameter(
                "polynomial degree \(degree) at head dimension \(d) needs C(\(d + degree), \(degree)) features, above the limit \(Self.maximumWidth); lower degree or D")
        }
        return r
    }

    func flops(headDimension d: Int) -> Double { Double((try? width(headDimension: d)) ?? 0) }

    /// C(n, k) saturating at Int.max.
    static func binomial(_ n: Int, _ k: Int) -> Int {
        var result = 1
        for i in 0..<k {
            let (product, overflow) = result.multipliedReportingOverflow(by: n - i)
            if overflow { return Int.max }
            result = product / (i + 1)
        }
        return result
    }

    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let terms = MonomialTerms.shared(variables: d, degree: degree)
        let r = terms.count + 1
        let root = scale.squareRoot()
        for row in 0..<rows {
            let (xi, phi) = (x + row * d, out + row * r)
            phi[0] = 1
            for (index, term) in terms.terms.enumerated() {
                phi[index + 1] = phi[term.parent] * xi[term.variable] * root * term.factor
            }
        }
    }

    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>) {
        let terms = MonomialTerms.shared(variables: d, degree: degree)
        let r = terms.count + 1
        let root = scale.squareRoot()
        var grad = [Float](repeating: 0, count: r)
        for row in 0..<rows {
            let (xi, phi, out) = (x + row * d, features + row * r, dx + row * d)
            for i in 0..<r { grad[i] = gradFeatures[row * r + i] }
            for a in 0..<d { out[a] = 0 }
            for index in stride(from: terms.count - 1, through: 0, by: -1) {
                let term = terms.terms[index]
                let g = grad[index + 1] * root * term.factor
                out[term.variable] += g * phi[term.parent]
                grad[term.parent] += g * xi[term.variable]
            }
        }
    }
}

/// The monomials x^α, 1 ≤ |α| ≤ g, in D variables, each as (parent monomial, variable, factor) with
/// x^α/√α! = (x^parent/√parent!) · x_variable · factor, factor = 1/√α_variable. Index 0 is the constant 1;
/// term i is feature i + 1. Variables are appended in non-decreasing order, so each monomial appears once.
struct MonomialTerms: Sendable {
    struct Term: Sendable {
        let parent: Int
        let variable: Int
        let factor: Float
    }

    let terms: [Term]
    var count: Int { terms.count }

    init(variables d: Int, degree g: Int) {
        var terms: [Term] = []
        // Frontier of the previous degree: (feature index, last variable, exponent of that variable).
        var frontier: [(index: Int, last: Int, power: Int)] = [(0, 0, 0)]
        for _ in 0..<g {
            var next: [(index: Int, last: Int, power: Int)] = []
            for monomial in frontier {
                for variable in monomial.last..<d {
                    let power = variable == monomial.last ? monomial.power + 1 : 1
                    terms.append(Term(parent: monomial.index, variable: variable, factor: 1 / Float(power).squareRoot()))
                    next.append((terms.count, variable, power))
                }
            }
            frontier = next
        }
        self.terms = terms
    }

    private static let cache = Mutex<[Int: MonomialTerms]>([:])

    /// The terms for (d, g), built once per process.
    static func shared(variables d: Int, degree g: Int) -> MonomialTerms {
        cache.withLock { table in
            let key = d << 16 | g
            if let found = table[key] { return found }
            let made = MonomialTerms(variables: d, degree: g)
            table[key] = made
            return made
        }
    }
}
