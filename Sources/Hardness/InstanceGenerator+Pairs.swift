/// Generation of the pair problems (OV, Max-IP_t, Min-IP_t, MSD_t, LSD_t and their bichromatic forms);
/// the rules are in the notes on `InstanceGenerator`.
extension InstanceGenerator {
    mutating func generateInnerProduct(_ problem: HardnessProblem, n: Int, d: Int, planted: PlantedAnswer,
                                       density: Double, threshold: Int?) throws -> HardnessInstance {
        var sets = drawPairSets(problem, n: n, d: d, density: density, nonZero: false)
        let atLeast = problem.comparison == .atLeast
        var t = problem.needsThreshold ? threshold : 0
        switch (planted, t) {
        case (.random, _):
            t = t ?? min(d, Int((density * density * Double(d)).rounded()))
        case (.yes, let t?):
            let (i, j) = sets.randomPair(using: &random)
            if atLeast {
                sets.raiseInnerProduct(i, j, to: t, using: &random)
            } else {
                sets.lowerInnerProduct(i, j, to: t, using: &random)
            }
        case (.yes, nil):
            t = try optimum(problem, sets).product
        case (.no, let t?):
            guard atLeast ? t >= 1 : t < d else {
                throw HardnessError.cannotPlant(problem: problem, reason: atLeast
                    ? "every pair has ⟨a, b⟩ ≥ 0, so t = 0 always has a witness"
                    : "every pair has ⟨a, b⟩ ≤ d = \(d), so t = \(t) always has a witness")
            }
            if atLeast {
                sets.lowerAllInnerProducts(below: t, using: &random)
            } else {
                sets.raiseAllInnerProducts(above: t, using: &random)
            }
        case (.no, nil):
            var best = try optimum(problem, sets).product
            if atLeast && best == d {
                sets.lowerAllInnerProducts(below: d, using: &random)
                best = try optimum(problem, sets).product
            } else if !atLeast && best == 0 {
                sets.raiseAllInnerProducts(above: 0, using: &random)
                best = try optimum(problem, sets).product
            }
            t = atLeast ? best + 1 : best - 1
        }
        return instance(problem, sets, threshold: problem.needsThreshold ? t.map(Double.init) : nil)
    }

    mutating func generateCosine(_ problem: HardnessProblem, n: Int, d: Int, planted: PlantedAnswer,
                                 density: Double, threshold: Double?) throws -> HardnessInstance {
        var sets = drawPairSets(problem, n: n, d: d, density: density, nonZero: true)
        let atLeast = problem.comparison == .atLeast
        var t = threshold
        switch (planted, threshold) {
        case (.random, _):
            t = threshold ?? density
        case (.yes, let t?):
            guard atLeast || d >= 2 || t >= 1 else {
                throw HardnessError.cannotPlant(problem: problem, reason: "at d = 1 every cosine is 1 > t")
            }
            let (i, j) = sets.randomPair(using: &random)
            if atLeast {
                sets.raiseCosine(i, j, toAtLeast: t, using: &random)
            } else {
                sets.lowerCosine(i, j, toAtMost: t, using: &random)
            }
        case (.yes, nil):
            let best = try optimumCosine(problem, sets)
            let beyond = best.neighbour(above: !atLeast, dimension: d)
            t = beyond.flatMap { atLeast ? midpointThreshold($0, best) : midpointThreshold(best, $0) }
                ?? (atLeast ? best.roundedDown : best.roundedUp)
        case (.no, let t?):
            guard atLeast ? t > 0 : t < 1 else {
                throw HardnessError.cannotPlant(problem: problem, reason: atLeast
                    ? "every cosine is ≥ 0, so t = 0 always has a witness"
                    : "every cosine is ≤ 1, so t = 1 always has a witness")
            }
            try redrawWitnesses(problem, &sets, density: density, threshold: t)
        case (.no, nil):
            var best = try optimumCosine(problem, sets)
            if atLeast && best.neighbour(above: true, dimension: d) == nil {
                try redrawWitnesses(problem, &sets, density: density, threshold: 1)
                best = try optimumCosine(problem, sets)
            } else if !atLeast && best.neighbour(above: false, dimension: d) == nil {
                sets.raiseAllInnerProducts(above: 0, using: &random)
                best = try optimumCosine(problem, sets)
            }
            let beyond = best.neighbour(above: atLeast, dimension: d)!
            guard let between = atLeast ? midpointThreshold(best, beyond) : midpointThreshold(beyond, best)
            else {
                throw HardnessError.cannotPlant(problem: problem, reason: "cosines \(best) and \(beyond) are too "
                    + "close for a Double threshold between them")
            }
            t = between
        }
        return instance(problem, sets, threshold: t)
    }

    private mutating func drawPairSets(_ problem: HardnessProblem, n: Int, d: Int, density: Double,
                                       nonZero: Bool) -> PairSets {
        let a = sample(rows: n, columns: d, density: density, nonZero: nonZero)
        let b = problem.isMonochromatic ? nil : sample(rows: n, columns: d, density: density, nonZero: nonZero)
        return PairSets(a: a, b: b)
    }

    /// Redraws rows until no pair has cos ≥ t (MSD) or cos ≤ t (LSD), or throws `cannotPlant`.
    private mutating func redrawWitnesses(_ problem: HardnessProblem, _ sets: inout PairSets, density: Double,
                                          threshold t: Double) throws {
        let sign = problem.comparison == .atLeast ? 1 : -1
        let redrawn = sets.redrawRows(density: density, attempts: Self.redrawAttempts, using: &random) {
            sign * $0.compare(to: t) >= 0
        }
        guard redrawn else {
            throw HardnessError.cannotPlant(problem: problem, reason: "after \(Self.redrawAttempts) redraws a row "
                + "still has a pair with cos \(sign > 0 ? "≥" : "≤") \(t) at density \(density); choose another "
                + "threshold, density or dimension")
        }
    }

    private func instance(_ problem: HardnessProblem, _ sets: PairSets, threshold: Double?) -> HardnessInstance {
        HardnessInstance(problem: problem, a: sets.sets[0], b: sets.monochromatic ? nil : sets.sets[1],
                         threshold: threshold)
    }

    private func optimum(_ problem: HardnessProblem, _ sets: PairSets) throws -> BruteForceOptimum {
        try BruteForce.optimum(instance(problem, sets, threshold: nil))
    }

    private func optimumCosine(_ problem: HardnessProblem, _ sets: PairSets) throws -> Cosine {
        try optimum(problem, sets).cosine!
    }
}
