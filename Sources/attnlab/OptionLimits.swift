import ArgumentParser
import Kernels

/// The ranges integer options are checked against before anything runs, so no size can overflow an
/// `Int` or `Int32`, trap, or ask for an absurd allocation.
enum OptionLimits {
    /// `--threads`: 1…`Parallelism.maximumThreads` (64 per core, at most 1024).
    static var threads: ClosedRange<Int> { 1...Parallelism.maximumThreads }
    /// `--repeat` and other counts of timed calls.
    static let repeats = 1...1_000_000
    /// The most float32 elements the tensors of one benchmark may hold together: 2³¹ (8 GiB).
    static let benchmarkElements = 1 << 31

    /// Throws unless `value` lies in `range`, naming the option.
    static func check(_ value: Int, in range: ClosedRange<Int>, option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be in \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    /// Throws unless every value is at most `largest` (2²⁰ by default, `IntegerList.largest`); lower bounds are
    /// the experiments' to check, with their own messages.
    static func checkAtMost(_ options: KeyValuePairs<String, Int>, largest: Int = IntegerList.largest) throws {
        for (option, value) in options where value > largest {
            throw ValidationError("\(option) must be at most \(largest), got \(value)")
        }
    }

    /// The product of `factors` (all ≥ 0), or nil if it overflows `Int`.
    static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Throws unless the tensors with these shapes hold at most `benchmarkElements` floats together.
    static func checkElements(_ shapes: [[Int]], describing what: String) throws {
        let total = shapes.reduce(Optional(0)) { sum, shape in
            guard let sum, let count = product(shape) else { return nil }
            let (next, overflow) = sum.addingReportingOverflow(count)
            return overflow ? nil : next
        }
        guard let total, total <= benchmarkElements else {
            throw ValidationError("\(what) would need \(total.map { "\($0)" } ?? "more than 2⁶³") floats; "
                + "the limit is \(benchmarkElements) (8 GiB)")
        }
    }
}
