import Foundation

/// A small, fast, seedable generator (xoshiro256**), so every random tensor is reproducible from a seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words with SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Standard normal (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1]
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

extension Tensor {
    /// Independent uniform values in [low, high), reproducible from `seed`.
    public static func uniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        var tensor = Tensor(zeros: shape)
        let width = Double(high - low)
        tensor.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = low + Scalar(generator.nextUnit() * width) }
        }
        return tensor
    }

    /// Independent normal values with the given mean and standard deviation, reproducible from `seed`.
    public static func normal(_ shape: [Int], mean: Scalar = 0, std: Scalar = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        var tensor = Tensor(zeros: shape)
        tensor.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = mean + std * Scalar(generator.nextNormal()) }
        }
        return tensor
    }
}
