/// How signal and gradient spread over depth in one forward and backward pass (`TrainingModel.depthProfile`):
/// the diagnostics of `experiment attnres`, for the standard residual stream and for Attention Residuals.
///
/// Sub-layers l = 1…L are each block's mixer and MLP in order; blocks b = 0…layers − 1.
public struct DepthProfile: Codable, Sendable, Equatable {
    /// RMS of the state entering sub-layer l (before its norm): the residual stream x_l, or the
    /// Attention-Residuals mix h_l. `[L]`.
    public var hiddenRMS: [Double]
    /// RMS of sub-layer l's contribution: x_{l+1} − x_l for the residual stream (f_l(norm(x_l)) under
    /// pre-norm), v_l = f_l(norm(h_l)) for Attention Residuals. `[L]`.
    public var outputRMS: [Double]
    /// Euclidean norm of the loss gradient of each block's parameters (`blocks.{b}.*`). `[layers]`.
    public var layerGradientNorms: [Double]
    /// Attention Residuals' α averaged over tokens: row c − 2 for consumer c = 2…L+1 (sub-layer c, or the
    /// stack's output for c = L+1), column i for source i = 0…L (the embedding, then s_i: the outputs in
    /// full mode, partial and completed block sums in block mode); 0 where c does not read i. Empty for
    /// the residual stream.
    public var mixing: [[Double]]

    public init(hiddenRMS: [Double], outputRMS: [Double], layerGradientNorms: [Double], mixing: [[Double]]) {
        self.hiddenRMS = hiddenRMS
        self.outputRMS = outputRMS
        self.layerGradientNorms = layerGradientNorms
        self.mixing = mixing
    }
}

/// Sums over the rows one replica ran: squares of the states and outputs per sub-layer, α per
/// (consumer, source). Replicas' sums add; `profile` divides.
struct DepthSums {
    var hiddenSquares: [Double]
    var outputSquares: [Double]
    var mixing: [[Double]]
    var rows: Int

    static func + (a: DepthSums, b: DepthSums) -> DepthSums {
        func add(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map(+) }
        return DepthSums(hiddenSquares: add(a.hiddenSquares, b.hiddenSquares), outputSquares: add(a.outputSquares, b.outputSquares),
                         mixing: zip(a.mixing, b.mixing).map(add), rows: a.rows + b.rows)
    }

    /// Σ x² over `count` floats. O(count).
    static func squares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        (0..<count).reduce(0) { $0 + Double(x[$1]) * Double(x[$1]) }
    }
}

/// A block stack that can report `DepthSums` of its last forward pass, started from `input`.
protocol DepthMeasurable {
    func depthSums(input: UnsafeMutablePointer<Float>, batch: Int, _ context: StepContext) -> DepthSums
}
