import Kernels

/// Summary statistics of small samples (timings, residuals). Each costs O(n), the median O(n log n).
enum Statistics {
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Middle value (`Kernels.median`), NaN for no values.
    static func median(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : Kernels.median(values)
    }

    /// Sample standard deviation (divides by n − 1); 0 for fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let average = mean(values)
        let squares = values.reduce(0) { $0 + ($1 - average) * ($1 - average) }
        return (squares / Double(values.count - 1)).squareRoot()
    }
}
