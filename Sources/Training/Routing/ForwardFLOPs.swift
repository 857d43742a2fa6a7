extension ModelDescription {
    /// The floating-point operations of one example's forward pass, counting the matrix products only
    /// (2 per multiply-add; norms, activations, softmax and copies are left out):
    /// - input: a continuous input's MLP 2·t·h·(dim + m) (a token embedding is a lookup: 0);
    /// - per block at length n (N, or k = ceil(C·N) in a routed block): projections 8·n·m·H·d, attention
    ///   4·H·d·P with P = n(n+1)/2 query–key pairs when causal, n² otherwise, MLP 4·n·m·f;
    /// - per routed block also the router 2·N·m and the predictor 2·N·16·(m + 1);
    /// - output: 2·R·m·classes, or the regression MLP 2·R·h·(m + dim), R the output rows.
    public var forwardFLOPs: Int {
        let (m, n, inner) = (width, sequenceLength, heads * headDimension)
        func block(_ length: Int) -> Int {
            let pairs = causal ? length * (length + 1) / 2 : length * length
            return 8 * length * m * inner + 4 * inner * pairs + 4 * length * m * (mlpHidden ?? 0)
        }
        var total = 0
        if case .continuous(let dimension, let hidden) = input { total += 2 * tokens * hidden * (dimension + m) }
        for layer in 0..<layers {
            guard let routing, routing.routes(layer) else { total += block(n); continue }
            total += block(routing.selected(of: n)) + 2 * n * m
            if routing.predictor { total += 2 * n * RoutingPredictor.hidden * (m + 1) }
        }
        switch output {
        case .classification(let classes): total += 2 * outputPositions * m * classes
        case .regression(let dimension, let hidden): total += 2 * outputPositions * hidden * (m + dimension)
        }
        return total
    }
}
