import Kernels

/// Shared helpers for the vector-math tests: run pointer kernels on arrays and measure errors.
enum VectorMathTestSupport {
    /// Runs a kernel that maps `count` floats into `count` floats.
    static func map(_ x: [Float], _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { source in
            y.withUnsafeMutableBufferPointer { target in kernel(source.baseAddress!, target.baseAddress!, x.count) }
        }
        return y
    }

    /// Largest |a − b| / (|b| + floor) over the pairs, i.e. a relative error that turns absolute near 0.
    static func maxError(_ a: [Float], _ b: [Double], floor: Double) -> Double {
        zip(a, b).map { abs(Double($0) - $1) / (abs($1) + floor) }.max() ?? 0
    }

    /// `count` seeded normal values scaled by `scale`.
    static func normals(_ count: Int, scale: Float = 1, seed: UInt64) -> [Float] {
        Tensor<Float>.normal([count], std: scale, seed: seed).elements
    }
}
