/// A feature map φ: R^D → R^r applied to each query and key row, so that φ(q)·φ(k) stands in for the
/// softmax kernel (see `NormalizedFeatureAttention`). Query features may carry a sign per feature
/// (`querySigns`), so that φq·φk can hold negative coefficients.
protocol FeatureMap: Sendable {
    /// r for head dimension `d`; throws when it is too large to run.
    func width(headDimension d: Int) throws -> Int
    /// ε added to the denominator.
    var epsilon: Float { get }
    /// FLOPs per row of computing φ.
    func flops(headDimension d: Int) -> Double
    /// φ(x) of `rows` rows: x `[rows, d]` → out `[rows, r]`. `scale` multiplies q·k (see each map).
    func apply(_ x: UnsafePointer<Float>, rows: Int, d: Int, scale: Float, into out: UnsafeMutablePointer<Float>)
    /// dx `[rows, d]` from dφ `[rows, r]` (and x, φ(x)).
    func backward(_ x: UnsafePointer<Float>, features: UnsafePointer<Float>, gradFeatures: UnsafePointer<Float>,
                  rows: Int, d: Int, scale: Float, into dx: UnsafeMutablePointer<Float>)
    /// ±1 per feature multiplying the query features only, or nil (the default) when all are +1.
    func querySigns(headDimension d: Int) -> [Float]?
}

extension FeatureMap {
    func querySigns(headDimension d: Int) -> [Float]? { nil }
}
