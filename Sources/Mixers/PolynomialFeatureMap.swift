import Synchronization

/// The Alman–Song polynomial method's explicit features (arXiv 2302.13214 §3): the softmax kernel
/// exp(s·q·k) is replaced by P(s·q·k), P the `ExpPolynomial` for the inputs' bound, and expanded into
/// monomials. The features carry P normalised (`ExpPolynomial.normalized`, the factor e^R dropped: it
/// cancels in the softmax-style division) in the variable y = s·q·k/R, P(s·q·k)·e^{−R} = Σ_t b_t·y^t =
/// U₁U₂ᵀ with r = C(D + g, g) columns:
///     Σ_t b_t·(u·q·k)^t = Σ_{|α| ≤ g} b_{|α|}·|α|!·u^{|α|}·q^α·k^α/α!,   u = s/R,
/// so with w_t = √(|b_t|·t!) the key features are φ(k)_α = w_{|α|}·u^{|α|/2}·k^α/√(α!) and the query features
/// the same times sign(b_{|α|}) (`querySigns`): U₁ ≠ U₂ when a coefficient is negative. With every entry
/// within B, |u^{1/2}·k_a| ≤ 1/√D, so every feature is O(w_t) and φq·φk ≤ ≈ 1 however large R is: the
/// features, the sums over N keys and the denominator stay finite (unnormalised, c_t overflows Float32 from
/// R ≈ 89). ε = 0; a row whose denominator P-sum is ≤ 0 outputs zeros (see `NormalizedFeatureAttention`).
/// Built by a recurrence over monomials (each is a lower one times one variable), one multiply per feature,
/// then the weights; backward recomputes the unweighted monomials of a row and walks the recurrence in
/// reverse. r is capped at `maximumWidth`.
struct PolynomialFeatureMap: FeatureMap {
    let polynomial: ExpPolynomial

    var degree: Int { polynomial.degree }

    /// The largest r this runs (beyond it the feature state r·(D + 1) per head stops being practical).
    static let maximumWidth = 65_536

    var epsilon: Float { 0 }

    func width(headDimension d: Int) throws -> Int {
        try Self.checkedWidth(degree: degree, headDimension: d)
    }

    /// C(d + g, g), or an error above `maximumWidth`.
    static func checkedWidth(degree: Int, headDimension d: Int) throws -> Int {
        let r = binomial(d + degree, degree)
        guard r <= maximumWidth else {
            throw MixerError.invalidParameter(
                "polynomial degree \(degree) at head dimension \(d) needs C(\(d + degree), \(degree)) features, above the limit \(maximumWidth); lower degree or D")
        }
        return r
    }

    func flops(headDimension d: Int) -> Double { 2 * Double((try? width(headDimension: d)) ?? 0) }

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

    /// w_{|α|} per feature: √(|b_t|·t!) for the feature's total degree t.
    func weights(_ terms: MonomialTerms) -> [Float] {
        var factorial = [1.0]
        for t in stride(from: 1, through: degree, by: 1) { factorial.append(factorial[t - 1] * Double(t)) }
        return terms.degrees.map { Float((abs(polynomial.unitCoefficients[$0]) * factorial[$0]).squareRoot()) }
    }

    func querySigns(headDimension d: Int) -> [Float]? {
        let b = polynomial.unitCoefficients
        guard b.contains(where: { $0 < 0 }) else { return nil }
        return MonomialTerms.shared(variables: d, degree: degree).degrees.map { b[$0] < 0 ? -1 : 1 }
    }

    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let terms = MonomialTerms.shared(variables: d, degree: degree)
        let weight = weights(terms)
        let (r, unitScale) = (terms.count, polynomial.unitScale(scale))
        for row in 0..<rows {
            let phi = out + row * r
            terms.monomials(x + row * d, scale: unitScale, into: phi)
            for i in 0..<r { phi[i] *= weight[i] }
        }
    }

    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>) {
        let terms = MonomialTerms.shared(variables: d, degree: degree)
        let weight = weights(terms)
        let (r, unitScale) = (terms.count, polynomial.unitScale(scale))
        let root = unitScale.squareRoot()
        var (monomial, grad) = ([Float](repeating: 0, count: r), [Float](repeating: 0, count: r))
        for row in 0..<rows {
            let (xi, out) = (x + row * d, dx + row * d)
            monomial.withUnsafeMutableBufferPointer { terms.monomials(xi, scale: unitScale, into: $0.baseAddress!) }
            for i in 0..<r { grad[i] = gradFeatures[row * r + i] * weight[i] }
            for a in 0..<d { out[a] = 0 }
            for index in stride(from: terms.terms.count - 1, through: 0, by: -1) {
                let term = terms.terms[index]
                let g = grad[index + 1] * root * term.factor
                out[term.variable] += g * monomial[term.parent]
                grad[term.parent] += g * xi[term.variable]
            }
        }
    }
}

/// The monomials x^α, 1 ≤ |α| ≤ g, in D variables, each as (parent monomial, variable, factor) with
/// x^α/√α! = (x^parent/√parent!) · x_variable · factor, factor = 1/√α_variable. Index 0 is the constant 1;
/// term i is feature i + 1, of total degree `degrees[i + 1]`. Variables are appended in non-decreasing order, so each monomial appears once.
struct MonomialTerms: Sendable {
    struct Term: Sendable {
        let parent: Int
        let variable: Int
        let factor: Float
    }

    let terms: [Term]
    /// The total degree |α| of each feature (index 0 the constant).
    let degrees: [Int]
    /// Features r = terms + 1.
    var count: Int { terms.count + 1 }

    /// s^{|α|/2}·x^α/√(α!) for every feature of one row: x `[d]` → out `[count]`.
    func monomials(_ x: UnsafePointer<Float>, scale: Float, into out: UnsafeMutablePointer<Float>) {
        let root = scale.squareRoot()
        out[0] = 1
        for (index, term) in terms.enumerated() {
            out[index + 1] = out[term.parent] * x[term.variable] * root * term.factor
        }
    }

    init(variables d: Int, degree g: Int) {
        var terms: [Term] = []
        var degrees = [0]
        // Frontier of the previous degree: (feature index, last variable, exponent of that variable).
        var frontier: [(index: Int, last: Int, power: Int)] = [(0, 0, 0)]
        for degree in stride(from: 1, through: g, by: 1) {
            var next: [(index: Int, last: Int, power: Int)] = []
            for monomial in frontier {
                for variable in monomial.last..<d {
                    let power = variable == monomial.last ? monomial.power + 1 : 1
                    terms.append(Term(parent: monomial.index, variable: variable, factor: 1 / Float(power).squareRoot()))
                    degrees.append(degree)
                    next.append((terms.count, variable, power))
                }
            }
            frontier = next
        }
        self.terms = terms
        self.degrees = degrees
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
